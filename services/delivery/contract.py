"""Delivery's contract: its RPC request and response schemas and the vocabulary they use.

The gateway imports delivery only through this module; it imports nothing but marshmallow, the
kit and the standard library.
"""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.catalogue.vocabulary import ATTENDANCE, FORMATS
from shared.schemas import PageQuerySchema, UtcDateTime, page_schema

SESSION_STATUSES = ("scheduled", "ready", "in_progress", "completed", "cancelled")
ENROLMENT_STATUSES = ("enrolled", "waiting", "cancelled")
# The preparation checklist's items; which of them a session has depends on its format.
CHECKLIST_ITEMS = ("venue", "equipment", "materials", "exercises", "participants_confirmed", "reminders_sent",
                   "platform_test")
INTERACTION_KINDS = ("question", "answer", "discussion_point")
GO_NO_GO = ("go", "at_risk", "not_due")

ID = validate.Length(min=1, max=200)


def known_timezone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("unknown time zone; use an IANA name such as Europe/Berlin") from None


def ends_after_start(data):
    if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
        raise ValidationError("must be after starts_at", "ends_at")


# ---- sessions ------------------------------------------------------------------------------------

class SessionPlaceSchema(Schema):
    """Where and with whom a session happens; all of it may change by rescheduling."""
    venue = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    online_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                            metadata={"description": "Meeting or platform link (online sessions)."})
    room_id = fields.String(load_default=None, allow_none=True, validate=ID)
    equipment_ids = fields.List(fields.String(validate=ID), load_default=list, validate=validate.Length(max=50))
    trainer_ids = fields.List(fields.String(validate=ID), load_default=list, validate=validate.Length(max=20),
                              metadata={"description": "Trainers' sign-in subjects; they manage the session."})


class SessionCreateSchema(SessionPlaceSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200),
                          metadata={"description": "The course as learners see it."})
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)
    timezone = fields.String(load_default="UTC", validate=known_timezone,
                             metadata={"description": "IANA time zone the session is planned in (invitations)."})
    capacity = fields.Integer(required=True, validate=validate.Range(1, 10000))
    min_participants = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 10000))
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)
    tier = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    plan_id = fields.String(load_default=None, allow_none=True, validate=ID)
    item_id = fields.String(load_default=None, allow_none=True, validate=ID)

    @validates_schema
    def consistent(self, data, **kwargs):
        ends_after_start(data)
        if (data.get("min_participants") or 0) > data["capacity"]:
            raise ValidationError("must not exceed capacity", "min_participants")


class SessionRescheduleSchema(Schema):
    """What changes (only the fields given) and why; learners are told, their seats kept."""
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    timezone = fields.String(validate=known_timezone)
    venue = fields.String(allow_none=True, validate=validate.Length(max=200))
    online_url = fields.Url(allow_none=True, schemes={"http", "https"})
    room_id = fields.String(allow_none=True, validate=ID)
    equipment_ids = fields.List(fields.String(validate=ID), validate=validate.Length(max=50))
    trainer_ids = fields.List(fields.String(validate=ID), validate=validate.Length(max=20))
    capacity = fields.Integer(validate=validate.Range(1, 10000))
    min_participants = fields.Integer(allow_none=True, validate=validate.Range(0, 10000))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))

    @validates_schema
    def consistent(self, data, **kwargs):
        if ("starts_at" in data) != ("ends_at" in data):
            raise ValidationError("give starts_at and ends_at together", "ends_at")
        ends_after_start(data)
        if not set(data) - {"reason"}:
            raise ValidationError("nothing to change: give new times, place, trainers or capacity")


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ReadySchema(Schema):
    override_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=1000),
                                    metadata={"description": "A supervisor may declare a session ready with its "
                                                             "checklist incomplete, giving the reason."})


class ChecklistTickSchema(Schema):
    done = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class ChecklistEntrySchema(Schema):
    item = fields.String()
    done = fields.Boolean()
    automatic = fields.Boolean(metadata={"description": "Ticked by the platform (resources, reminders, the test)."})
    by = fields.String(allow_none=True)
    at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)


class PlatformTestSchema(Schema):
    url = fields.String()
    ok = fields.Boolean()
    status_code = fields.Integer(allow_none=True)
    latency_ms = fields.Float(allow_none=True)
    detail = fields.String()
    tested_by = fields.String()
    tested_at = fields.DateTime()


class ResourceConflictSchema(Schema):
    kind = fields.String()
    resource_id = fields.String(allow_none=True)
    reason = fields.String()
    detail = fields.String()


class ReservedResourceSchema(Schema):
    kind = fields.String()
    resource_id = fields.String()
    name = fields.String()


class GoNoGoSchema(Schema):
    status = fields.String(metadata={"description": "not_due (decision later), go, or at_risk (below the minimum "
                                                    "participants within DELIVERY_GO_NO_GO_DAYS of the start)."})
    decide_by = fields.DateTime(allow_none=True)
    seats_needed = fields.Integer(metadata={"description": "Enrolments still missing to reach the minimum."})


class SessionHistoryEntrySchema(Schema):
    action = fields.String()
    by = fields.String()
    at = fields.DateTime()
    reason = fields.String(allow_none=True)
    changes = fields.Dict(allow_none=True)


class SessionRecordSchema(Schema):
    """The true record of what happened in the session."""
    content_covered = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                                  validate=validate.Length(max=100))
    deviations = fields.String(load_default="", validate=validate.Length(max=5000),
                               metadata={"description": "Deviations from the lesson plan, and why."})
    incidents = fields.List(fields.String(validate=validate.Length(min=1, max=1000)), load_default=list,
                            validate=validate.Length(max=100))
    trainer_notes = fields.String(load_default="", validate=validate.Length(max=5000))
    updated_by = fields.String(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class PublicSessionSchema(Schema):
    """A session as learners see it."""
    id = fields.String(attribute="_id")
    title = fields.String()
    format = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    timezone = fields.String()
    venue = fields.String(allow_none=True)
    topics = fields.List(fields.String())
    capacity = fields.Integer()
    seats_left = fields.Function(lambda session: max(session["capacity"] - session["seats_taken"], 0))
    waiting = fields.Function(lambda session: len(session["waiting"]))
    trainer_ids = fields.List(fields.String())
    status = fields.String()
    sequence = fields.Integer()


class PreparationSchema(Schema):
    """A session's preparation: its checklist, the platform test and what resources said."""
    checklist = fields.List(fields.Nested(ChecklistEntrySchema))
    checklist_complete = fields.Boolean()
    platform_test = fields.Nested(PlatformTestSchema, allow_none=True)
    resources_reserved = fields.List(fields.Nested(ReservedResourceSchema))
    resource_conflicts = fields.List(fields.Nested(ResourceConflictSchema))
    ready_override = fields.Dict(allow_none=True)


class SessionSchema(PublicSessionSchema, PreparationSchema):
    """A session as staff see it: preparation, go/no-go, history and record."""
    online_url = fields.String(allow_none=True)
    room_id = fields.String(allow_none=True)
    equipment_ids = fields.List(fields.String())
    tier = fields.String(allow_none=True)
    min_participants = fields.Integer(allow_none=True)
    seats_taken = fields.Integer()
    plan_id = fields.String(allow_none=True)
    item_id = fields.String(allow_none=True)
    plan_revision = fields.Integer(allow_none=True)
    go_no_go = fields.Nested(GoNoGoSchema)
    record = fields.Nested(SessionRecordSchema, allow_none=True)
    cancellation = fields.Dict(allow_none=True)
    history = fields.List(fields.Nested(SessionHistoryEntrySchema))
    scheduled_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ChecklistSchema(PreparationSchema):
    session_id = fields.String(attribute="_id")
    status = fields.String()


class SessionQuerySchema(PageQuerySchema):
    plan_id = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(SESSION_STATUSES))
    format = fields.String(load_default=None, validate=validate.OneOf(FORMATS))
    trainer_id = fields.String(load_default=None)
    starts_after = UtcDateTime(load_default=None)
    starts_before = UtcDateTime(load_default=None)
    at_risk = fields.Boolean(load_default=None, allow_none=True,
                             metadata={"description": "Only sessions flagged by the go/no-go rule."})


SessionPageSchema = page_schema(SessionSchema)
PublicSessionPageSchema = page_schema(PublicSessionSchema)


# ---- approved plans (from PlanApproved.v1) -------------------------------------------------------

class ApprovedPlanItemSchema(Schema):
    item_id = fields.String()
    title = fields.String()
    format = fields.String()
    audience = fields.String()
    quarter = fields.Integer(allow_none=True)
    capacity = fields.Integer(allow_none=True)


class ApprovedPlanSchema(Schema):
    plan_id = fields.String(attribute="_id")
    year = fields.Integer()
    title = fields.String()
    revision = fields.Integer()
    approved_by = fields.String()
    approved_at = fields.DateTime()
    items = fields.List(fields.Nested(ApprovedPlanItemSchema))
    recorded_at = fields.DateTime()


ApprovedPlanPageSchema = page_schema(ApprovedPlanSchema)


# ---- enrolment -----------------------------------------------------------------------------------

class EnrolSchema(Schema):
    learner_id = fields.String(load_default=None, allow_none=True, validate=ID,
                               metadata={"description": "The learner's sign-in subject; learners leave it out "
                                                        "(they enrol themselves)."})


class EnrolmentCancelSchema(Schema):
    reason = fields.String(load_default="cancelled by request", validate=validate.Length(min=1, max=1000))


class AttendanceSchema(Schema):
    status = fields.String(allow_none=True)
    participation_score = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)


class EnrolmentSchema(Schema):
    id = fields.String(attribute="_id")
    session_id = fields.String()
    learner_id = fields.String()
    status = fields.String()
    waiting_position = fields.Integer(allow_none=True,
                                      metadata={"description": "Place in the queue while waiting (1 = next)."})
    from_waiting_list = fields.Boolean()
    requested_at = fields.DateTime()
    enrolled_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    attendance = fields.Nested(AttendanceSchema, allow_none=True)
    session = fields.Nested(PublicSessionSchema, allow_none=True)


EnrolmentPageSchema = page_schema(EnrolmentSchema)


class EnrolmentQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(ENROLMENT_STATUSES))


class LearnerEnrolmentQuerySchema(EnrolmentQuerySchema):
    learner_id = fields.String(load_default=None, validate=ID,
                               metadata={"description": "Staff: whose enrolments; learners always see their own."})


class EnrolmentImportSchema(Schema):
    rows = fields.Integer()
    enrolled = fields.List(fields.String())
    waiting = fields.List(fields.String())
    already = fields.List(fields.String(), metadata={"description": "Learners who already had a place."})


# ---- running the session -------------------------------------------------------------------------

class AttendanceEntrySchema(Schema):
    learner_id = fields.String(required=True, validate=ID)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE))
    participation_score = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))


class AttendanceRequestSchema(Schema):
    records = fields.List(fields.Nested(AttendanceEntrySchema), required=True, validate=validate.Length(min=1, max=10000))

    @validates_schema
    def one_record_per_learner(self, data, **kwargs):
        learners = [record["learner_id"] for record in data["records"]]
        if len(learners) != len(set(learners)):
            raise ValidationError("one record per learner", "records")


class CheckInCodeSchema(Schema):
    code = fields.String()
    expires_at = fields.DateTime()


class CheckInSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=4, max=12))


class InteractionCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(INTERACTION_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    learner_id = fields.String(load_default=None, allow_none=True, validate=ID,
                               metadata={"description": "Who asked or raised it (staff may name a learner; "
                                                        "learners always log as themselves)."})
    in_reply_to = fields.String(load_default=None, allow_none=True, validate=ID,
                                metadata={"description": "The question an answer answers."})


class InteractionSchema(Schema):
    id = fields.String(attribute="_id")
    session_id = fields.String()
    kind = fields.String()
    text = fields.String()
    learner_id = fields.String(allow_none=True)
    in_reply_to = fields.String(allow_none=True)
    answered = fields.Boolean()
    logged_by = fields.String()
    at = fields.DateTime()


class InteractionQuerySchema(PageQuerySchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(INTERACTION_KINDS))


InteractionPageSchema = page_schema(InteractionSchema)


# ---- calendar links ----------------------------------------------------------------------------

CALENDAR_KINDS = ("learner", "trainer")


class CalendarLinkRequestSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(CALENDAR_KINDS),
                         metadata={"description": "learner: the sessions you hold a seat in; trainer: those you teach."})


class CalendarLinkSchema(Schema):
    """A new secret link key; shown once (delivery keeps only its hash)."""
    kind = fields.String()
    key = fields.String()
    issued_at = fields.DateTime()
