"""Marshmallow schemas at the archive's boundaries."""
from marshmallow import Schema, fields, validate

from shared.schemas import PageQuerySchema, page_schema


class LearnerCreateSchema(Schema):
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(required=True)
    organisation = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # The identity the learner signs in with, so they can read their own archive.
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class LearnerSchema(Schema):
    id = fields.String(attribute="_id")
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    organisation = fields.String()
    subject = fields.String(allow_none=True)
    registered_at = fields.DateTime()
    registered_by = fields.String()


class LearnerQuerySchema(PageQuerySchema):
    organisation = fields.String(load_default=None)


LearnerPageSchema = page_schema(LearnerSchema)


class PlanLogEntrySchema(Schema):
    event_id = fields.String(attribute="_id")
    plan_id = fields.String()
    year = fields.Integer()
    title = fields.String()
    revision = fields.Integer()
    approved_by = fields.String()
    approved_at = fields.DateTime()
    recorded_at = fields.DateTime()


PlanLogPageSchema = page_schema(PlanLogEntrySchema)


class ContactQuerySchema(Schema):
    learner_ids = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                              validate=validate.Length(min=1, max=1000))


class ContactSchema(Schema):
    """How to reach a learner: only for services that must send them something."""
    learner_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String(allow_none=True)


class ContactListSchema(Schema):
    items = fields.List(fields.Nested(ContactSchema))
