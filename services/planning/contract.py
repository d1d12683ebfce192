"""Planning's contract: its RPC request and response schemas and the vocabulary they use.

The gateway imports planning only through this module; it imports nothing but marshmallow and the kit.
"""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.notifications import CHANNELS
from shared.catalogue.vocabulary import FORMATS
from shared.schemas import PageQuerySchema, page_schema

STATUSES = ("draft", "submitted", "approved", "rejected", "published")

# Where a need was heard. The first eight are entered by staff; the rest come from other services' events.
MANUAL_SOURCES = ("sales", "marketing", "customer_service", "questionnaire", "interview", "online_feedback",
                  "industry_trend", "product_roadmap")
SOURCES = MANUAL_SOURCES + ("exam_results", "evaluation", "improvement_action", "recertification")
TIERS = ("basic_operation", "advanced_features", "industry_application", "customised")
FLAGS = ("compliance", "safety", "ethics")
URGENCIES = ("low", "medium", "high", "critical")

HOUR_MINUTE = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="expected HH:MM")
LOCAL_DATE_TIME = validate.Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$",
                                  error="expected a local date and time, YYYY-MM-DDTHH:MM")
QUARTER_OF_YEAR = validate.Regexp(r"^[0-9]{4}-Q[1-4]$", error="expected YYYY-Qn, e.g. 2026-Q3")


def known_timezone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("unknown time zone; use an IANA name such as Europe/Berlin") from None


def local_date_time(value):
    LOCAL_DATE_TIME(value)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("not a real date and time") from None


# ---- needs ---------------------------------------------------------------------------------------

class NeedAudienceSchema(Schema):
    """Audience segment; a need merges with another of the same topic, product and segment."""
    user_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    industry = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    level = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class NeedContentSchema(Schema):
    topic = fields.String(required=True, validate=validate.Length(min=1, max=200))
    product = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    audience = fields.Nested(NeedAudienceSchema, load_default=lambda: NeedAudienceSchema().load({}))
    tier = fields.String(load_default="basic_operation", validate=validate.OneOf(TIERS))
    flags = fields.List(fields.String(validate=validate.OneOf(FLAGS)), load_default=list)
    urgency = fields.String(load_default="medium", validate=validate.OneOf(URGENCIES))
    expected_quarter = fields.String(load_default=None, allow_none=True, validate=QUARTER_OF_YEAR,
                                     metadata={"description": "When the need is expected (roadmap and trend "
                                                              "entries), for the forecast."})


class NeedCreateSchema(NeedContentSchema):
    source = fields.String(required=True, validate=validate.OneOf(MANUAL_SOURCES))
    evidence = fields.String(load_default="", validate=validate.Length(max=2000),
                             metadata={"description": "What was heard, by whom, where."})


class NeedEvidenceSchema(Schema):
    source = fields.String()
    text = fields.String()
    by = fields.String()
    at = fields.DateTime()


class NeedSchema(Schema):
    id = fields.String(attribute="_id")
    topic = fields.String()
    product = fields.String(allow_none=True)
    audience = fields.Nested(NeedAudienceSchema)
    tier = fields.String()
    flags = fields.List(fields.String())
    urgency = fields.Function(lambda need: URGENCIES[need["urgency_level"] - 1])
    requesters = fields.Integer()
    sources = fields.List(fields.String())
    expected_quarter = fields.String(allow_none=True)
    evidence = fields.List(fields.Nested(NeedEvidenceSchema))
    score = fields.Float(metadata={"description": "Backlog rank: urgency, then demand, then recency."})
    first_recorded_at = fields.DateTime()
    last_recorded_at = fields.DateTime()


class NeedQuerySchema(PageQuerySchema):
    source = fields.String(load_default=None, validate=validate.OneOf(SOURCES))
    tier = fields.String(load_default=None, validate=validate.OneOf(TIERS))
    flag = fields.String(load_default=None, validate=validate.OneOf(FLAGS))
    product = fields.String(load_default=None)
    user_type = fields.String(load_default=None)
    industry = fields.String(load_default=None)
    level = fields.String(load_default=None)


NeedPageSchema = page_schema(NeedSchema)


class NeedImportSchema(Schema):
    import_id = fields.String()
    rows = fields.Integer()
    need_ids = fields.List(fields.String())


class NeedForecastEntrySchema(Schema):
    product = fields.String(allow_none=True)
    quarter = fields.String(allow_none=True)
    needs = fields.Integer()
    requesters = fields.Integer()
    topics = fields.List(fields.String())


class NeedForecastSchema(Schema):
    entries = fields.List(fields.Nested(NeedForecastEntrySchema))


# ---- plans ---------------------------------------------------------------------------------------

class AudienceWorkingHoursSchema(Schema):
    """When the audience works, in the schedule's time zone; sessions then draw a warning."""
    weekdays = fields.List(fields.Integer(validate=validate.Range(1, 7)), load_default=lambda: [1, 2, 3, 4, 5],
                           metadata={"description": "ISO weekdays, 1 = Monday."})
    start = fields.String(required=True, validate=HOUR_MINUTE)
    end = fields.String(required=True, validate=HOUR_MINUTE)


class ItemScheduleSchema(Schema):
    session_starts = fields.List(fields.String(validate=local_date_time), load_default=list,
                                 validate=validate.Length(max=100),
                                 metadata={"description": "Local start times (YYYY-MM-DDTHH:MM) in `timezone`."})
    duration_minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(15, 7200))
    timezone = fields.String(load_default="UTC", validate=known_timezone)

    @validates_schema
    def sessions_need_a_duration(self, data, **kwargs):
        if data["session_starts"] and not data["duration_minutes"]:
            raise ValidationError("required when session_starts are given", "duration_minutes")


class PlanItemSchema(Schema):
    item_id = fields.String(load_default=None, allow_none=True,
                            metadata={"description": "Kept when a revision names an item of the revised plan."})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    objectives = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    audience = fields.String(required=True, validate=validate.Length(min=1, max=200))
    tier = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TIERS))
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)
    quarter = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 4))
    schedule = fields.Nested(ItemScheduleSchema, load_default=None, allow_none=True)
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 10000))
    trainers_wanted = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100))
    linked_needs = fields.List(fields.String(), load_default=list, validate=validate.Length(max=100))
    important = fields.Boolean(load_default=False,
                               metadata={"description": "Sessions of important items must be announced "
                                                        "PLAN_MIN_NOTICE_DAYS (default 14) days ahead."})
    audience_working_hours = fields.Nested(AudienceWorkingHoursSchema, load_default=None, allow_none=True)


class PlanContentSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    goals = fields.List(fields.String(validate=validate.Length(min=1, max=500)),
                        load_default=list, validate=validate.Length(max=50))
    items = fields.List(fields.Nested(PlanItemSchema), load_default=list,
                        validate=validate.Length(max=500))


class PlanCreateSchema(PlanContentSchema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))


class PlanRevisionSchema(PlanContentSchema):
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class DecisionSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class RejectionSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PlanPublicationRequestSchema(Schema):
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=lambda: list(CHANNELS),
                           validate=validate.Length(min=1))
    email_to = fields.List(fields.Email(), load_default=list, validate=validate.Length(max=5000))
    sms_to = fields.List(fields.String(validate=validate.Regexp(r"^\+?[0-9 ()-]{6,20}$")), load_default=list,
                         validate=validate.Length(max=5000))
    note = fields.String(load_default="", validate=validate.Length(max=2000),
                         metadata={"description": "A line added above the plan summary."})


class PlanHistoryEntrySchema(Schema):
    action = fields.String()
    by = fields.String()
    at = fields.DateTime()
    revision = fields.Integer()
    comment = fields.String(allow_none=True)


class PlanWarningSchema(Schema):
    item_id = fields.String()
    rule = fields.String()
    message = fields.String()


class PlanRevisionSnapshotSchema(Schema):
    revision = fields.Integer()
    title = fields.String()
    goals = fields.List(fields.String())
    items = fields.List(fields.Nested(PlanItemSchema))
    status = fields.String(metadata={"description": "How the revision ended (rejected or approved)."})
    author = fields.String()


class PlanChannelDeliverySchema(Schema):
    channel = fields.String()
    status = fields.String(metadata={"description": "sent, failed or skipped"})
    attempts = fields.Integer()
    detail = fields.String()
    at = fields.DateTime()


class PlanPublicationSchema(Schema):
    by = fields.String()
    at = fields.DateTime()
    channels = fields.List(fields.String())
    deliveries = fields.Dict(keys=fields.String(), values=fields.Nested(PlanChannelDeliverySchema))
    # How many times the planning service has gone back to channels that failed (at most 5).
    retry_rounds = fields.Integer(load_default=0)


class PlanSchema(Schema):
    id = fields.String(attribute="_id")
    year = fields.Integer()
    title = fields.String()
    goals = fields.List(fields.String())
    items = fields.List(fields.Nested(PlanItemSchema))
    status = fields.String()
    revision = fields.Integer()
    author = fields.String()
    revision_author = fields.String()
    warnings = fields.List(fields.Nested(PlanWarningSchema))
    history = fields.List(fields.Nested(PlanHistoryEntrySchema))
    revisions = fields.List(fields.Nested(PlanRevisionSnapshotSchema))
    publication = fields.Nested(PlanPublicationSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class OfferingItemSchema(Schema):
    """A plan item as learners see it."""
    item_id = fields.String()
    title = fields.String()
    objectives = fields.List(fields.String())
    format = fields.String()
    audience = fields.String()
    tier = fields.String(allow_none=True)
    topics = fields.List(fields.String())
    quarter = fields.Integer(allow_none=True)
    schedule = fields.Nested(ItemScheduleSchema, allow_none=True)
    capacity = fields.Integer(allow_none=True)


class OfferingSchema(Schema):
    """A published plan as learners see it: what is offered to them, not how it was decided."""
    id = fields.String(attribute="_id")
    year = fields.Integer()
    title = fields.String()
    goals = fields.List(fields.String())
    items = fields.List(fields.Nested(OfferingItemSchema))
    revision = fields.Integer()
    published_at = fields.DateTime()


OfferingPageSchema = page_schema(OfferingSchema)


class PlanQuerySchema(PageQuerySchema):
    year = fields.Integer(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))


PlanPageSchema = page_schema(PlanSchema)


class PlanCoverageNeedSchema(Schema):
    need_id = fields.String()
    topic = fields.String()
    product = fields.String(allow_none=True)
    requesters = fields.Integer()
    urgency = fields.String()
    item_ids = fields.List(fields.String())
    matched_by = fields.String(metadata={"description": "link (the item names the need) or topic"})


class PlanCoverageSchema(Schema):
    plan_id = fields.String()
    covered = fields.List(fields.Nested(PlanCoverageNeedSchema))
    open = fields.List(fields.Nested(PlanCoverageNeedSchema))
    missing_links = fields.List(fields.String(), metadata={"description": "Linked need ids that do not exist."})
    requesters_covered = fields.Integer()
    requesters_open = fields.Integer()


class NoticeSchema(Schema):
    id = fields.String(attribute="_id")
    subject = fields.String()
    text = fields.String()
    reference = fields.String()
    posted_at = fields.DateTime()


NoticePageSchema = page_schema(NoticeSchema)
