"""Events on feedback.events."""
from marshmallow import Schema, fields, validate

from shared.events import define

URGENCIES = ("low", "medium", "high", "critical")


class FeedbackRatingsData(Schema):
    """A learner's ratings, 1 (poor) to 5 (excellent), one per evaluated dimension."""
    content = fields.Integer(required=True, validate=validate.Range(1, 5))
    format = fields.Integer(required=True, validate=validate.Range(1, 5))
    trainer = fields.Integer(required=True, validate=validate.Range(1, 5))
    effect = fields.Integer(required=True, validate=validate.Range(1, 5))


class FeedbackSubmittedData(Schema):
    response_id = fields.String(required=True)
    session_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    ratings = fields.Nested(FeedbackRatingsData, required=True)
    # Whether the learner wrote open text; the text itself stays in the feedback service.
    has_comment = fields.Boolean(required=True)
    submitted_at = fields.DateTime(required=True)


class FeedbackSubmittedV2Data(Schema):
    response_id = fields.String(required=True)
    survey_id = fields.String(required=True)
    session_id = fields.String(load_default=None, allow_none=True)
    # The respondent's role: a learner about their training, or their supervisor or a peer
    # (level-3 follow-up), or staff recording face-to-face feedback or an online rating.
    respondent = fields.String(required=True, validate=validate.OneOf(("learner", "supervisor", "peer", "staff")))
    anonymous = fields.Boolean(required=True)
    learner_id = fields.String(load_default=None, allow_none=True)  # always null when anonymous
    trainer_ids = fields.List(fields.String(), load_default=list)
    # Mean score per section (content, format, trainer, effect, ...), on a 1-5 scale.
    section_scores = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    nps = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 10))  # a 0-10 item, if any
    has_comment = fields.Boolean(required=True)
    submitted_at = fields.DateTime(required=True)


class EvaluationCompletedData(Schema):
    evaluation_id = fields.String(required=True)
    session_id = fields.String(required=True)
    # Kirkpatrick level: 1 reaction, 2 learning, 3 behaviour, 4 business results.
    level = fields.Integer(required=True, validate=validate.Range(1, 4))
    score = fields.Float(load_default=None, allow_none=True)
    weak_topics = fields.List(fields.String(), required=True)
    completed_at = fields.DateTime(required=True)


class LevelResultData(Schema):
    level = fields.Integer(required=True, validate=validate.Range(1, 4))
    score = fields.Float(load_default=None, allow_none=True)  # 0-100, or null when there is no data
    summary = fields.String(required=True)


class EvaluationCompletedV2Data(Schema):
    evaluation_id = fields.String(required=True)
    scope = fields.String(required=True, validate=validate.OneOf(("session", "course", "plan")))
    session_id = fields.String(load_default=None, allow_none=True)
    course = fields.String(load_default=None, allow_none=True)
    plan_id = fields.String(load_default=None, allow_none=True)
    levels = fields.List(fields.Nested(LevelResultData), required=True)
    weak_topics = fields.List(fields.String(), required=True)
    completed_at = fields.DateTime(required=True)


class ImprovementActionRaisedData(Schema):
    action_id = fields.String(required=True)
    topic = fields.String(required=True)
    description = fields.String(required=True)
    urgency = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(URGENCIES))
    product = fields.String(load_default=None, allow_none=True)
    session_id = fields.String(load_default=None, allow_none=True)
    raised_at = fields.DateTime(required=True)
    # Added compatibly:
    evaluation_id = fields.String(load_default=None, allow_none=True)
    owner = fields.String(load_default=None, allow_none=True)
    due_at = fields.Date(load_default=None, allow_none=True)
    cause = fields.String(load_default=None, allow_none=True)


FEEDBACK_SUBMITTED = define("feedback", "FeedbackSubmitted", 1, FeedbackSubmittedData,
                            "A learner answered a session's feedback questionnaire under their name, with the "
                            "standard content, format, trainer and effect sections rounded to 1-5. Published "
                            "beside FeedbackSubmitted.v2 for consumers that have not moved yet; anonymous "
                            "responses appear only in v2.")
FEEDBACK_SUBMITTED_V2 = define("feedback", "FeedbackSubmitted", 2, FeedbackSubmittedV2Data,
                               "A response to a survey was recorded: section means, no open text, and no "
                               "learner id when the survey is anonymous.")
EVALUATION_COMPLETED = define("feedback", "EvaluationCompleted", 1, EvaluationCompletedData,
                              "Superseded by EvaluationCompleted.v2 (reports per course and plan): no release "
                              "ever published v1. Kept defined for the published contract; consumers read v2.")
EVALUATION_COMPLETED_V2 = define("feedback", "EvaluationCompleted", 2, EvaluationCompletedV2Data,
                                 "An effect evaluation report (of a session, a course or a plan) was completed, "
                                 "combining the four Kirkpatrick levels, with the topics it found weak.")
IMPROVEMENT_ACTION_RAISED = define("feedback", "ImprovementActionRaised", 1, ImprovementActionRaisedData,
                                   "An improvement action was raised from evaluation results; planning takes "
                                   "it into the needs backlog.")
