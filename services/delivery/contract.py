"""Marshmallow schemas at delivery's boundaries."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.catalogue.vocabulary import FORMATS
from shared.schemas import PageQuerySchema, UtcDateTime, page_schema


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


class SessionCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)
    venue = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    capacity = fields.Integer(required=True, validate=validate.Range(1, 10000))
    plan_id = fields.String(load_default=None, allow_none=True)
    item_id = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", "ends_at")


class SessionSchema(Schema):
    id = fields.String(attribute="_id")
    title = fields.String()
    format = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    venue = fields.String(allow_none=True)
    capacity = fields.Integer()
    plan_id = fields.String(allow_none=True)
    item_id = fields.String(allow_none=True)
    status = fields.String()
    scheduled_by = fields.String()
    created_at = fields.DateTime()


class SessionQuerySchema(PageQuerySchema):
    plan_id = fields.String(load_default=None)


SessionPageSchema = page_schema(SessionSchema)
