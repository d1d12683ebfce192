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


PLAN_SUBMITTED = define("planning", "PlanSubmitted", 1, PlanSubmittedData,
                        "A draft annual plan was submitted to management for approval.")
PLAN_APPROVED = define("planning", "PlanApproved", 1, PlanApprovedData,
                       "A manager approved a submitted plan; its items may now be prepared for delivery.")
PLAN_REJECTED = define("planning", "PlanRejected", 1, PlanRejectedData,
                       "A manager rejected a submitted plan with a comment; the author may revise it.")
