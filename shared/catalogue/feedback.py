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
