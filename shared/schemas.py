"""Schemas every service uses at its RPC boundary."""
from datetime import timezone

from marshmallow import Schema, fields, validate

# The department's delivery formats (DESIGN.md §1), shared by plans, sessions and events.
TRAINING_FORMATS = ("online", "classroom", "on_site_demo", "group_discussion", "case_study", "simulation")

ROLES = ("supervisor", "manager", "trainer", "specialist", "learner", "auditor", "admin")
STAFF_ROLES = ("supervisor", "manager", "trainer", "specialist", "auditor", "admin")


def is_staff(actor):
    """Department staff may read every learner's records; a learner only their own."""
    return bool(set(STAFF_ROLES) & set(actor["roles"]))


class UtcDateTime(fields.AwareDateTime):
    """A date-time that must carry an offset and is stored and published in UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).astimezone(timezone.utc)


class ActorSchema(Schema):
    """Who is acting, as the gateway authenticated them."""
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


def page_schema(item_schema):
    """Schema of one page of results: {"total": n, "items": [...]}."""
    return Schema.from_dict({"total": fields.Integer(), "items": fields.List(fields.Nested(item_schema))},
                            name=f"{item_schema.__name__.removesuffix('Schema')}PageSchema")


class DeadLetterQuerySchema(PageQuerySchema):
    status = fields.String(load_default="parked", validate=validate.OneOf(("parked", "redriven")))


class DeadLetterSchema(Schema):
    """An event a handler could not apply, as the dead-letter store keeps it."""
    id = fields.String(attribute="_id")
    handler = fields.String()
    queue = fields.String(allow_none=True)
    event_type = fields.String(allow_none=True)
    reason = fields.String()
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    status = fields.String()
    parked_at = fields.DateTime()
    redriven_at = fields.DateTime(allow_none=True)
    body = fields.Raw()
