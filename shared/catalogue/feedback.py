"""Events on feedback.events."""
from marshmallow import Schema, fields, validate

from shared.events import define


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


FEEDBACK_SUBMITTED = define("feedback", "FeedbackSubmitted", 1, FeedbackSubmittedData,
                            "A learner answered a session's feedback questionnaire. Carries the ratings, "
                            "not the open text.")


class EvaluationCompletedData(Schema):
    evaluation_id = fields.String(required=True)
    session_id = fields.String(required=True)
    # Kirkpatrick level: 1 reaction, 2 learning, 3 behaviour, 4 business results.
    level = fields.Integer(required=True, validate=validate.Range(1, 4))
    score = fields.Float(load_default=None, allow_none=True)
    weak_topics = fields.List(fields.String(), required=True)
    completed_at = fields.DateTime(required=True)


class ImprovementActionRaisedData(Schema):
    action_id = fields.String(required=True)
    topic = fields.String(required=True)
    description = fields.String(required=True)
    urgency = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(("low", "medium", "high", "critical")))
    product = fields.String(load_default=None, allow_none=True)
    session_id = fields.String(load_default=None, allow_none=True)
    raised_at = fields.DateTime(required=True)


EVALUATION_COMPLETED = define("feedback", "EvaluationCompleted", 1, EvaluationCompletedData,
                              "An effect evaluation of a session finished on one Kirkpatrick level, with the "
                              "topics it found weak.")
IMPROVEMENT_ACTION_RAISED = define("feedback", "ImprovementActionRaised", 1, ImprovementActionRaisedData,
                                   "An improvement action was raised from evaluation results; planning takes "
                                   "it into the needs backlog.")
