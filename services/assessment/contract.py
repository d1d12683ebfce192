"""Marshmallow schemas at assessment's boundaries (RPC in and out; the gateway reuses them).

Every name starts with Exam: the gateway's OpenAPI document needs names unique across services.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.schemas import PageQuerySchema, page_schema

DRAFT, PUBLISHED = "draft", "published"
STATUSES = (DRAFT, PUBLISHED)


class ExamLearnerQuestionSchema(Schema):
    """A question as a learner sees it: without the answer key."""
    question_id = fields.String(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    options = fields.List(fields.String(validate=validate.Length(min=1, max=500)), required=True,
                          validate=validate.Length(min=2, max=8))
    topic = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ExamQuestionSchema(ExamLearnerQuestionSchema):
    correct_option = fields.Integer(required=True, validate=validate.Range(min=0))

    @validates_schema
    def correct_option_is_one_of_the_options(self, question, **kwargs):
        if question["correct_option"] >= len(question["options"]):
            raise ValidationError(f"must be the index of one of the {len(question['options'])} options",
                                  "correct_option")


class ExamCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    session_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    pass_score = fields.Integer(required=True, validate=validate.Range(0, 100),
                                metadata={"description": "percent of questions a learner must get right"})
    questions = fields.List(fields.Nested(ExamQuestionSchema), required=True,
                            validate=validate.Length(min=1, max=200))


class ExamLearnerViewSchema(Schema):
    id = fields.String(attribute="_id")
    title = fields.String()
    session_id = fields.String(allow_none=True)
    pass_score = fields.Integer()
    status = fields.String()
    questions = fields.List(fields.Nested(ExamLearnerQuestionSchema))
    published_at = fields.DateTime(allow_none=True)


class ExamSchema(ExamLearnerViewSchema):
    """An exam as staff see it, answer key included."""
    questions = fields.List(fields.Nested(ExamQuestionSchema))
    created_by = fields.String()
    created_at = fields.DateTime()
    published_by = fields.String(allow_none=True)


class ExamSummarySchema(Schema):
    id = fields.String(attribute="_id")
    title = fields.String()
    session_id = fields.String(allow_none=True)
    pass_score = fields.Integer()
    status = fields.String()
    question_count = fields.Function(lambda exam: len(exam["questions"]), metadata={"type": "integer"})
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


ExamSummaryPageSchema = page_schema(ExamSummarySchema)


class ExamQuerySchema(PageQuerySchema):
    session_id = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class ExamAnswerSchema(Schema):
    question_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    option = fields.Integer(required=True, validate=validate.Range(min=0),
                            metadata={"description": "index of the chosen option"})


class ExamAnswersSchema(Schema):
    """A learner's answers; questions left out count as wrong."""
    answers = fields.List(fields.Nested(ExamAnswerSchema), required=True, validate=validate.Length(max=200))


class ExamTopicResultSchema(Schema):
    topic = fields.String()
    correct = fields.Integer()
    total = fields.Integer()
    score = fields.Float()


class ExamSubmissionSchema(Schema):
    """A learner's graded submission: scores are percentages."""
    id = fields.String(attribute="_id")
    exam_id = fields.String()
    learner_id = fields.String()
    session_id = fields.String(allow_none=True)
    answers = fields.List(fields.Nested(ExamAnswerSchema))
    score = fields.Float()
    pass_score = fields.Integer()
    passed = fields.Boolean()
    correct_count = fields.Integer()
    question_count = fields.Integer()
    topics = fields.List(fields.Nested(ExamTopicResultSchema))
    weak_topics = fields.List(fields.String())
    method = fields.String()
    graded_at = fields.DateTime()


ExamSubmissionPageSchema = page_schema(ExamSubmissionSchema)
