"""Events on planning.events."""
from marshmallow import Schema, fields

from shared.events import define


class PlanRef(Schema):
    plan_id = fields.String(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    revision = fields.Integer(required=True)


class PlanSubmittedData(PlanRef):
    submitted_by = fields.String(required=True)


class PlanDecisionItem(Schema):
    item_id = fields.String(required=True)
    title = fields.String(required=True)
    format = fields.String(required=True)
    audience = fields.String(required=True)
    quarter = fields.Integer(load_default=None, allow_none=True)
    capacity = fields.Integer(load_default=None, allow_none=True)


class PlanApprovedData(PlanRef):
    approved_by = fields.String(required=True)
    approved_at = fields.DateTime(required=True)
    items = fields.List(fields.Nested(PlanDecisionItem), required=True)


class PlanRejectedData(PlanRef):
    rejected_by = fields.String(required=True)
    comment = fields.String(required=True)


class NeedAudience(Schema):
    user_type = fields.String(load_default=None, allow_none=True)
    industry = fields.String(load_default=None, allow_none=True)
    level = fields.String(load_default=None, allow_none=True)


class NeedRecordedData(Schema):
    need_id = fields.String(required=True)
    topic = fields.String(required=True)
    product = fields.String(load_default=None, allow_none=True)
    audience = fields.Nested(NeedAudience, required=True)
    tier = fields.String(required=True)
    flags = fields.List(fields.String(), load_default=list)
    urgency = fields.String(required=True)
    source = fields.String(required=True)  # the source of this request
    requesters = fields.Integer(required=True)  # all requests merged into the need so far
    merged = fields.Boolean(required=True)  # true when it joined an existing need of the same topic and audience


class ScheduledSession(Schema):
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)


class PublishedSchedule(Schema):
    quarter = fields.Integer(load_default=None, allow_none=True)
    timezone = fields.String(load_default=None, allow_none=True)
    duration_minutes = fields.Integer(load_default=None, allow_none=True)
    sessions = fields.List(fields.Nested(ScheduledSession), load_default=list)  # UTC instants


class PublishedItem(Schema):
    item_id = fields.String(required=True)
    title = fields.String(required=True)
    objectives = fields.List(fields.String(), load_default=list)
    format = fields.String(required=True)
    audience = fields.String(required=True)
    tier = fields.String(load_default=None, allow_none=True)
    topics = fields.List(fields.String(), load_default=list)
    schedule = fields.Nested(PublishedSchedule, required=True)
    capacity = fields.Integer(load_default=None, allow_none=True)
    trainers_wanted = fields.Integer(load_default=None, allow_none=True)
    important = fields.Boolean(load_default=False)


class PlanPublishedData(PlanRef):
    published_by = fields.String(required=True)
    published_at = fields.DateTime(required=True)
    channels = fields.List(fields.String(), required=True)
    items = fields.List(fields.Nested(PublishedItem), required=True)


NEED_RECORDED = define("planning", "NeedRecorded", 1, NeedRecordedData,
                       "A training need was recorded, or merged into an existing need of the same topic "
                       "and audience.")
PLAN_SUBMITTED = define("planning", "PlanSubmitted", 1, PlanSubmittedData,
                        "A draft annual plan was submitted to management for approval.")
PLAN_APPROVED = define("planning", "PlanApproved", 1, PlanApprovedData,
                       "A manager approved a submitted plan; its items may now be prepared for delivery.")
PLAN_REJECTED = define("planning", "PlanRejected", 1, PlanRejectedData,
                       "A manager rejected a submitted plan with a comment; the author may revise it.")
PLAN_PUBLISHED = define("planning", "PlanPublished", 1, PlanPublishedData,
                        "An approved plan was announced to its audiences; delivery schedules its sessions.")
