"""Marshmallow schemas at planning's boundaries (RPC in and out; the gateway reuses them)."""
from marshmallow import Schema, fields, validate

from shared.schemas import TRAINING_FORMATS, PageQuerySchema, page_schema

STATUSES = ("draft", "submitted", "approved", "rejected")


class PlanItemSchema(Schema):
    item_id = fields.String(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    format = fields.String(required=True, validate=validate.OneOf(TRAINING_FORMATS))
    audience = fields.String(required=True, validate=validate.Length(min=1, max=200))
    quarter = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 4))
    capacity = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 10000))


class PlanCreateSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    goals = fields.List(fields.String(validate=validate.Length(min=1, max=500)),
                        load_default=list, validate=validate.Length(max=50))
    items = fields.List(fields.Nested(PlanItemSchema), load_default=list,
                        validate=validate.Length(max=500))


class DecisionSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class RejectionSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class HistoryEntrySchema(Schema):
    action = fields.String()
    by = fields.String()
    at = fields.DateTime()
    comment = fields.String(allow_none=True)


class PlanSchema(Schema):
    id = fields.String(attribute="_id")
    year = fields.Integer()
    title = fields.String()
    goals = fields.List(fields.String())
    items = fields.List(fields.Nested(PlanItemSchema))
    status = fields.String()
    revision = fields.Integer()
    author = fields.String()
    history = fields.List(fields.Nested(HistoryEntrySchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PlanQuerySchema(PageQuerySchema):
    year = fields.Integer(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))


PlanPageSchema = page_schema(PlanSchema)
