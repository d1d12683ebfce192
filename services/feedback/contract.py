"""Marshmallow schemas at feedback's boundaries (RPC in and out; the gateway reuses them)."""
from marshmallow import Schema, fields, validate

from shared.schemas import page_schema


def rating():
    return fields.Integer(required=True, validate=validate.Range(1, 5),
                          metadata={"description": "1 (poor) to 5 (excellent)"})


def open_answer():
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class FeedbackRatingsSchema(Schema):
    content = rating()
    format = rating()
    trainer = rating()
    effect = rating()


class FeedbackSubmissionSchema(Schema):
    ratings = fields.Nested(FeedbackRatingsSchema, required=True)
    comments = open_answer()
    suggestions = open_answer()


class QuestionnaireQuestionSchema(Schema):
    key = fields.String()
    kind = fields.String(metadata={"description": "`rating` (answered 1-5) or `text` (open answer)"})
    text = fields.String()


class QuestionnaireSchema(Schema):
    id = fields.String(attribute="_id")
    session_id = fields.String(attribute="_id", dump_only=True,
                               metadata={"description": "A questionnaire's id is its session's id."})
    title = fields.String()
    format = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    questions = fields.List(fields.Nested(QuestionnaireQuestionSchema))
    opened_at = fields.DateTime()


QuestionnairePageSchema = page_schema(QuestionnaireSchema)


class FeedbackResponseSchema(Schema):
    id = fields.String(attribute="_id")
    session_id = fields.String()
    learner_id = fields.String()
    ratings = fields.Nested(FeedbackRatingsSchema)
    comments = fields.String(allow_none=True)
    suggestions = fields.String(allow_none=True)
    submitted_at = fields.DateTime()


FeedbackResponsePageSchema = page_schema(FeedbackResponseSchema)


class FeedbackDimensionSummarySchema(Schema):
    average = fields.Float(allow_none=True, metadata={"description": "null until someone answers"})
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer(),
                               metadata={"description": "How many answered each score, keyed \"1\" to \"5\""})


class FeedbackRatingsSummarySchema(Schema):
    content = fields.Nested(FeedbackDimensionSummarySchema)
    format = fields.Nested(FeedbackDimensionSummarySchema)
    trainer = fields.Nested(FeedbackDimensionSummarySchema)
    effect = fields.Nested(FeedbackDimensionSummarySchema)


class FeedbackSummarySchema(Schema):
    questionnaire_id = fields.String()
    count = fields.Integer(metadata={"description": "Number of responses"})
    ratings = fields.Nested(FeedbackRatingsSummarySchema)
