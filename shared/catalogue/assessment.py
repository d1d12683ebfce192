"""Events on assessment.events. `learner_id` is the learner's sign-in subject everywhere."""
from marshmallow import Schema, fields, validate

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
    # Added compatibly with the assessment domain:
    method = fields.String(load_default=None, allow_none=True)  # shared.catalogue.vocabulary.ASSESSMENT_METHODS
    opens_at = fields.DateTime(load_default=None, allow_none=True)
    closes_at = fields.DateTime(load_default=None, allow_none=True)


class ExamSubmittedData(Schema):
    submission_id = fields.String(required=True)
    exam_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    session_id = fields.String(load_default=None, allow_none=True)
    attempt = fields.Integer(required=True)
    late = fields.Boolean(required=True)  # after the time limit (graded as of the deadline)
    submitted_at = fields.DateTime(required=True)


class TopicScoreData(Schema):
    topic = fields.String(required=True)
    score = fields.Float(required=True)  # percent of the topic's points


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
    # Added compatibly with the assessment domain:
    title = fields.String(load_default=None, allow_none=True)  # the assessment's title
    attempt = fields.Integer(load_default=None, allow_none=True)
    topic_scores = fields.List(fields.Nested(TopicScoreData), load_default=list)
    # Whether this result is the learner's pre-test (before training) of a pre/post pair.
    pre_test = fields.Boolean(load_default=False)


class RemediationAssignedData(Schema):
    remediation_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    exam_id = fields.String(required=True)
    session_id = fields.String(load_default=None, allow_none=True)
    topics = fields.List(fields.String(), required=True)
    reason = fields.String(required=True, validate=validate.OneOf(("failed", "weak_topics")))
    assigned_at = fields.DateTime(required=True)
    due_at = fields.DateTime(load_default=None, allow_none=True)


class CertificateIssuedData(Schema):
    certificate_id = fields.String(required=True)
    number = fields.String(required=True)
    learner_id = fields.String(required=True)
    exam_id = fields.String(required=True)
    title = fields.String(required=True)
    topic = fields.String(required=True)
    product = fields.String(load_default=None, allow_none=True)
    issued_at = fields.DateTime(required=True)
    expires_at = fields.Date(load_default=None, allow_none=True)


class CertificateExpiringData(Schema):
    certificate_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    topic = fields.String(required=True)
    product = fields.String(load_default=None, allow_none=True)
    expires_at = fields.Date(required=True)


EXAM_PUBLISHED = define("assessment", "ExamPublished", 1, ExamPublishedData,
                        "An assessment was published: the learners it is open to may now take it.")
EXAM_SUBMITTED = define("assessment", "ExamSubmitted", 1, ExamSubmittedData,
                        "A learner handed in an attempt (objective items are graded at once; others wait for "
                        "a trainer).")
EXAM_GRADED = define("assessment", "ExamGraded", 1, ExamGradedData,
                     "A learner's result was released. Score and pass_score are percentages; weak_topics "
                     "are the topics below the pass mark; method says how the result was obtained "
                     "(online, homework, project, practical, paper).")
REMEDIATION_ASSIGNED = define("assessment", "RemediationAssigned", 1, RemediationAssignedData,
                              "A learner below the pass mark or weak on topics was assigned tutoring.")
CERTIFICATE_ISSUED = define("assessment", "CertificateIssued", 1, CertificateIssuedData,
                            "A learner passed a certifying assessment and holds a certificate until it expires.")
CERTIFICATE_EXPIRING = define("assessment", "CertificateExpiring", 1, CertificateExpiringData,
                              "A learner's certificate expires soon; recertification is due.")
