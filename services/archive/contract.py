"""The archive's contract: its RPC request and response schemas and the vocabulary they use.

The gateway imports the archive only through this module; it imports nothing but marshmallow, the
kit and the standard library. `learner_id` is always the learner's sign-in subject.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.catalogue.vocabulary import ATTENDANCE, FORMATS, USER_TYPES
from shared.schemas import PageQuerySchema, UtcDateTime, page_schema

LEARNER_STATUSES = ("active", "erased")
ENROLMENT_STATUSES = ("enrolled", "cancelled")
SESSION_STATUSES = ("scheduled", "completed", "cancelled")
RESULTS = ("passed", "failed", "none")
# What a search can count its matches by.
CLASSES = ("user_type", "organisation", "department", "industry", "course", "trainer", "result", "attendance",
           "format")
ANALYTICS_GROUPS = ("course", "user_type", "organisation", "department", "period")
PERIODS = ("month", "quarter", "year")
SEARCH_SORTS = ("-starts_at", "starts_at", "title", "-title")
# What the audit log records.
AUDIT_ACTIONS = ("register", "import", "update", "erase", "read_learner", "read_archive", "export", "transcript",
                 "xapi", "read_denied", "list_learners", "search", "analytics", "event")

LEARNER_ID = validate.Length(min=1, max=200)
PHONE = validate.Regexp(r"^\+?[0-9 ()-]{6,20}$", error="expected a phone number such as +44 20 7946 0000")
LANGUAGE = validate.Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="expected a language tag such as en or pt-BR")
TEXT = validate.Length(min=1, max=200)
REASON = validate.Length(max=500)


# ---- the registry ---------------------------------------------------------------------------------

class LearnerDetailsSchema(Schema):
    """Who a learner is. Names and contact details are personal and kept encrypted; company,
    department, user type and industry classify the archive and travel in LearnerRegistered.v1."""
    first_name = fields.String(required=True, validate=TEXT)
    last_name = fields.String(required=True, validate=TEXT)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    language = fields.String(load_default=None, allow_none=True, validate=LANGUAGE)
    organisation = fields.String(required=True, validate=TEXT, metadata={"description": "The learner's company."})
    department = fields.String(load_default=None, allow_none=True, validate=TEXT)
    user_type = fields.String(required=True, validate=validate.OneOf(USER_TYPES))
    industry = fields.String(load_default=None, allow_none=True, validate=TEXT)


class LearnerCreateSchema(LearnerDetailsSchema):
    learner_id = fields.String(required=True, validate=LEARNER_ID,
                               metadata={"description": "The learner's sign-in subject (`sub` of their token)."})


class LearnerUpdateSchema(Schema):
    changes = fields.Nested(LearnerDetailsSchema(partial=True), required=True,
                            metadata={"description": "Only the fields to change."})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))

    @validates_schema
    def something_changes(self, data, **kwargs):
        if not data.get("changes"):
            raise ValidationError("name at least one field to change", "changes")


class LearnerSchema(Schema):
    learner_id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    organisation = fields.String()
    department = fields.String(allow_none=True)
    user_type = fields.String()
    industry = fields.String(allow_none=True)
    status = fields.String()
    registered_at = fields.DateTime()
    registered_by = fields.String()
    updated_at = fields.DateTime()


class LearnerQuerySchema(PageQuerySchema):
    organisation = fields.String(load_default=None)
    department = fields.String(load_default=None)
    user_type = fields.String(load_default=None, validate=validate.OneOf(USER_TYPES))
    industry = fields.String(load_default=None)
    email = fields.String(load_default=None, metadata={"description": "Exact address (case-insensitive)."})
    name = fields.String(load_default=None, metadata={"description": "Exact full name, first then last "
                                                                     "(case- and space-insensitive)."})
    reason = fields.String(load_default=None, validate=REASON)


LearnerPageSchema = page_schema(LearnerSchema)


class LearnerImportSchema(Schema):
    imported = fields.Integer()
    learner_ids = fields.List(fields.String())


class ContactQuerySchema(Schema):
    learner_ids = fields.List(fields.String(validate=LEARNER_ID), required=True,
                              validate=validate.Length(min=1, max=1000))


class ContactSchema(Schema):
    """How to reach a learner: only for services that must send them something."""
    learner_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String(allow_none=True)


class ContactListSchema(Schema):
    items = fields.List(fields.Nested(ContactSchema))


# ---- a learner's archive --------------------------------------------------------------------------

class ReadQuerySchema(Schema):
    reason = fields.String(load_default=None, validate=REASON,
                           metadata={"description": "Why you read it; kept in the audit log."})


class EnrolmentSchema(Schema):
    status = fields.String(metadata={"description": "enrolled or cancelled"})
    at = fields.DateTime()
    reason = fields.String(allow_none=True)
    from_waiting_list = fields.Boolean(allow_none=True)


class AttendanceSchema(Schema):
    status = fields.String(metadata={"description": ", ".join(ATTENDANCE)})
    participation_score = fields.Integer(allow_none=True)
    at = fields.DateTime()


class RecordResultSchema(Schema):
    exam_id = fields.String()
    score = fields.Float()
    passed = fields.Boolean()
    method = fields.String()
    graded_at = fields.DateTime()


class TrainingRecordSchema(Schema):
    """One learner's part in one session: course, time, place, trainers, enrolment, attendance,
    participation and the session's latest result."""
    session_id = fields.String()
    title = fields.String(allow_none=True)
    format = fields.String(allow_none=True, metadata={"description": ", ".join(FORMATS)})
    topics = fields.List(fields.String())
    plan_id = fields.String(allow_none=True)
    starts_at = fields.DateTime(allow_none=True)
    ends_at = fields.DateTime(allow_none=True)
    venue = fields.String(allow_none=True)
    trainer_ids = fields.List(fields.String())
    session_status = fields.String(metadata={"description": ", ".join(SESSION_STATUSES)})
    enrolment = fields.Nested(EnrolmentSchema, allow_none=True)
    attendance = fields.Nested(AttendanceSchema, allow_none=True)
    result = fields.Nested(RecordResultSchema, allow_none=True)
    completed = fields.Boolean(metadata={"description": "The session took place and the learner attended it."})
    hours = fields.Float(metadata={"description": "Training hours: the session's length if completed."})


class ExamResultSchema(Schema):
    submission_id = fields.String()
    exam_id = fields.String()
    session_id = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    score = fields.Float()
    pass_score = fields.Integer()
    passed = fields.Boolean()
    method = fields.String()
    attempt = fields.Integer(allow_none=True)
    pre_test = fields.Boolean()
    weak_topics = fields.List(fields.String())
    graded_at = fields.DateTime()


class CertificateSchema(Schema):
    certificate_id = fields.String()
    number = fields.String()
    exam_id = fields.String()
    title = fields.String()
    topic = fields.String()
    product = fields.String(allow_none=True)
    issued_at = fields.DateTime()
    expires_at = fields.String(allow_none=True, metadata={"description": "A date, YYYY-MM-DD."})


class FeedbackGivenSchema(Schema):
    response_id = fields.String()
    survey_id = fields.String()
    session_id = fields.String(allow_none=True)
    respondent = fields.String()
    section_scores = fields.Dict(keys=fields.String(), values=fields.Float())
    nps = fields.Integer(allow_none=True)
    has_comment = fields.Boolean()
    submitted_at = fields.DateTime()


class ArchiveSummarySchema(Schema):
    sessions_enrolled = fields.Integer()
    sessions_completed = fields.Integer()
    training_hours = fields.Float()
    results = fields.Integer()
    passed = fields.Integer()
    certificates_valid = fields.Integer()


class ArchiveSchema(Schema):
    learner_id = fields.String()
    learner = fields.Nested(LearnerSchema, allow_none=True,
                            metadata={"description": "Null when the learner is not registered."})
    summary = fields.Nested(ArchiveSummarySchema)
    records = fields.List(fields.Nested(TrainingRecordSchema))
    results = fields.List(fields.Nested(ExamResultSchema))
    certificates = fields.List(fields.Nested(CertificateSchema))
    feedback = fields.List(fields.Nested(FeedbackGivenSchema))


class AuditEntrySchema(Schema):
    id = fields.String(attribute="_id")
    at = fields.DateTime()
    actor_id = fields.String()
    actor_roles = fields.List(fields.String())
    action = fields.String(metadata={"description": ", ".join(AUDIT_ACTIONS)})
    learner_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict()


class PersonalDataExportSchema(ArchiveSchema):
    """Everything the archive holds on a learner, and who read or changed it."""
    exported_at = fields.DateTime()
    audit = fields.List(fields.Nested(AuditEntrySchema))


class FileSchema(Schema):
    """A file for the gateway to send as it is (PDF transcript, CSV export)."""
    filename = fields.String()
    content_type = fields.String()
    content_base64 = fields.String()


class StatementListSchema(Schema):
    statements = fields.List(fields.Dict(), metadata={"description": "xAPI 1.0.3 statements."})


class ErasureRequestSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500),
                           metadata={"description": "The erasure request it carries out (reference, channel)."})


class ErasureSchema(Schema):
    pseudonym = fields.String(metadata={"description": "What the anonymous statistics now call the learner."})
    erased_at = fields.DateTime()
    erased_by = fields.String()
    pseudonymised = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                metadata={"description": "Documents per collection that no longer name the learner."})


# ---- retrieval, analytics, audit ------------------------------------------------------------------

class PeriodQuerySchema(Schema):
    since = UtcDateTime(load_default=None, allow_none=True)
    until = UtcDateTime(load_default=None, allow_none=True)

    @validates_schema
    def in_order(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be before `since`", "until")


class SearchQuerySchema(PageQuerySchema, PeriodQuerySchema):
    user_type = fields.String(load_default=None, validate=validate.OneOf(USER_TYPES))
    organisation = fields.String(load_default=None)
    department = fields.String(load_default=None)
    industry = fields.String(load_default=None)
    email = fields.String(load_default=None, metadata={"description": "The learner's exact address."})
    name = fields.String(load_default=None, metadata={"description": "The learner's exact full name."})
    learner_id = fields.String(load_default=None)
    course = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                           metadata={"description": "Part of a course title or topic (case-insensitive)."})
    session_id = fields.String(load_default=None)
    trainer_id = fields.String(load_default=None)
    format = fields.String(load_default=None, validate=validate.OneOf(FORMATS))
    result = fields.String(load_default=None, validate=validate.OneOf(RESULTS))
    attendance = fields.String(load_default=None, validate=validate.OneOf(ATTENDANCE))
    enrolment = fields.String(load_default=None, validate=validate.OneOf(ENROLMENT_STATUSES))
    sort = fields.String(load_default="-starts_at", validate=validate.OneOf(SEARCH_SORTS))
    classify_by = fields.String(load_default=None, validate=validate.OneOf(CLASSES),
                                metadata={"description": "Count all matches per value of this class."})
    reason = fields.String(load_default=None, validate=REASON)


class SearchRecordSchema(TrainingRecordSchema):
    learner_id = fields.String()
    user_type = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)


class ClassCountSchema(Schema):
    value = fields.String(allow_none=True)
    count = fields.Integer()


class SearchResultSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(SearchRecordSchema))
    classified_by = fields.String(allow_none=True)
    classes = fields.List(fields.Nested(ClassCountSchema))


class AnalyticsQuerySchema(PeriodQuerySchema):
    group_by = fields.String(load_default="course", validate=validate.OneOf(ANALYTICS_GROUPS))
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS),
                           metadata={"description": "Length of a period for score trends (and group_by=period)."})
    user_type = fields.String(load_default=None, validate=validate.OneOf(USER_TYPES))
    course = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    expiring_within_days = fields.Integer(load_default=60, validate=validate.Range(1, 730))


class RatesSchema(Schema):
    enrolments = fields.Integer(metadata={"description": "Enrolments not cancelled."})
    completed = fields.Integer()
    completion_rate = fields.Float(allow_none=True, metadata={"description": "Completed of enrolments in "
                                                                               "sessions that took place."})
    training_hours = fields.Float()
    results = fields.Integer()
    passed = fields.Integer()
    pass_rate = fields.Float(allow_none=True)
    average_score = fields.Float(allow_none=True)


class AnalyticsGroupSchema(RatesSchema):
    group = fields.String(allow_none=True)


class ScoreTrendSchema(Schema):
    group = fields.String(allow_none=True)
    period = fields.String()
    results = fields.Integer()
    average_score = fields.Float()
    pass_rate = fields.Float()


class ExpiringCertificateSchema(Schema):
    certificate_id = fields.String()
    learner_id = fields.String(allow_none=True, metadata={"description": "Only for supervisors and auditors."})
    title = fields.String()
    topic = fields.String()
    expires_at = fields.String()


class NeverCompletedSchema(Schema):
    count = fields.Integer()
    learner_ids = fields.List(fields.String(), metadata={"description": "Only for supervisors and auditors."})


class AnalyticsSchema(Schema):
    totals = fields.Nested(RatesSchema)
    grouped_by = fields.String()
    groups = fields.List(fields.Nested(AnalyticsGroupSchema))
    score_trend = fields.List(fields.Nested(ScoreTrendSchema))
    expiring_certificates = fields.List(fields.Nested(ExpiringCertificateSchema))
    enrolled_never_completed = fields.Nested(NeverCompletedSchema)


class AuditQuerySchema(PageQuerySchema, PeriodQuerySchema):
    learner_id = fields.String(load_default=None)
    actor_id = fields.String(load_default=None)
    action = fields.String(load_default=None, validate=validate.OneOf(AUDIT_ACTIONS))


AuditPageSchema = page_schema(AuditEntrySchema)


class StatementQuerySchema(PageQuerySchema, PeriodQuerySchema):
    reason = fields.String(load_default=None, validate=REASON)


class StatementPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Dict(), metadata={"description": "xAPI 1.0.3 statements, oldest first."})


# ---- approved plans -------------------------------------------------------------------------------

class PlanLogEntrySchema(Schema):
    event_id = fields.String(attribute="_id")
    plan_id = fields.String()
    year = fields.Integer()
    title = fields.String()
    revision = fields.Integer()
    approved_by = fields.String()
    approved_at = fields.DateTime()
    recorded_at = fields.DateTime()


PlanLogPageSchema = page_schema(PlanLogEntrySchema)
