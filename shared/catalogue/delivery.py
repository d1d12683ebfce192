"""Events on delivery.events."""
from marshmallow import Schema, fields

from shared.events import define


class SessionScheduledData(Schema):
    session_id = fields.String(required=True)
    plan_id = fields.String(load_default=None, allow_none=True)
    item_id = fields.String(load_default=None, allow_none=True)
    title = fields.String(required=True)
    format = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    venue = fields.String(load_default=None, allow_none=True)
    capacity = fields.Integer(required=True)


SESSION_SCHEDULED = define("delivery", "SessionScheduled", 1, SessionScheduledData,
                           "A training session was put on the calendar.")
