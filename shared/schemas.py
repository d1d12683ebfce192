"""Schemas every service uses at its RPC boundary (no business vocabulary: that is the services')."""
import functools
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema


class UtcDateTime(fields.AwareDateTime):
    """A date-time that must carry an offset and is stored and published in UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).astimezone(timezone.utc)


@functools.cache
def instance(schema_class):
    """The one instance of a schema class that every call shares. Building a schema copies its
    fields and nested schemas, which was most of the time a small read spent in marshmallow;
    marshmallow keeps no per-call state on an instance, so sharing it is safe."""
    return schema_class()


# Pages beyond this are refused (422): a store cannot skip an unbounded number of documents.
MAX_OFFSET = 100_000


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))


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


class ReplayRequestSchema(Schema):
    """Re-deliver what a service published between `since` and `until` to one subscriber's queue."""
    queue = fields.String(required=True, validate=validate.Length(min=1, max=255),
                          metadata={"description": "The subscriber's own queue; it must exist."})
    since = UtcDateTime(required=True)
    until = UtcDateTime(required=True)
    types = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z][A-Za-z]+\.v[0-9]+$")), load_default=list,
                        metadata={"description": "Event types to replay; all when empty."})
    limit = fields.Integer(load_default=10_000, validate=validate.Range(1, 10_000))

    @validates_schema
    def a_real_range(self, data, **kwargs):
        if data["until"] <= data["since"]:
            raise ValidationError("must be after since", "until")


class ReplayResultSchema(Schema):
    queue = fields.String()
    replayed = fields.Integer()
    more = fields.Boolean(metadata={"description": "More events match: replay again from the last one's time."})
