"""Schemas every service uses at its RPC boundary (no business vocabulary: that is the services')."""
from datetime import timezone

from marshmallow import Schema, fields, validate


class UtcDateTime(fields.AwareDateTime):
    """A date-time that must carry an offset and is stored and published in UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).astimezone(timezone.utc)


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
