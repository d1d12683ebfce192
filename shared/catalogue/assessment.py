"""Events on assessment.events."""
from marshmallow import Schema, fields

from shared.events import define


class ExamPublishedData(Schema):
    exam_id = fields.String(required=True)
    session_id = fields.String(load_default=None, allow_none=True)
    title = fields.String(required=True)
    pass_score = fields.Integer(required=True)
    question_count = fields.Integer(required=True)
    topics = fields.List(fields.String(), required=True)
    published_by = fields.String(required=True)
    published_at = fields.DateTime(required=True)


class ExamGradedData(Schema):
    submission_id = fields.String(required=True)
    exam_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    session_id = fields.String(load_default=None, allow_none=True)
    score = fields.Float(required=True)
    pass_score = fields.Integer(required=True)
    passed = fields.Boolean(required=True)
    weak_topics = fields.List(fields.String(), required=True)
    graded_at = fields.DateTime(required=True)
    method = fields.String(required=True)


EXAM_PUBLISHED = define("assessment", "ExamPublished", 1, ExamPublishedData,
                        "An exam was published: learners may now submit their answers.")
EXAM_GRADED = define("assessment", "ExamGraded", 1, ExamGradedData,
                     "A learner's exam was graded. Score and pass_score are percentages; weak_topics "
                     "are the topics with under half of their questions right; method says how the "
                     "exam was taken (\"online\": answered in the platform, graded automatically).")


class CertificateExpiringData(Schema):
    certificate_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    topic = fields.String(required=True)
    product = fields.String(load_default=None, allow_none=True)
    expires_at = fields.Date(required=True)


CERTIFICATE_EXPIRING = define("assessment", "CertificateExpiring", 1, CertificateExpiringData,
                              "A learner's certificate expires soon; recertification is due.")
