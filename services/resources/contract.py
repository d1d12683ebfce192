"""Marshmallow schemas at resources' boundaries (RPC in and out; the gateway reuses them)."""
from marshmallow import Schema, fields, validate

from shared.schemas import PageQuerySchema, page_schema

DRAFT, PUBLISHED = "draft", "published"
MATERIAL_STATUSES = (DRAFT, PUBLISHED)

MATERIAL_FORMATS = ("slides", "handout", "video", "exercise", "courseware")


def labels(max_items, min_length=1, max_length=100):
    """A required list of short strings (topics, languages): at least one, at most `max_items`."""
    return fields.List(fields.String(validate=validate.Length(min_length, max_length)),
                       required=True, validate=validate.Length(1, max_items))


class TrainerCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    topics = labels(max_items=50)
    # Language tags such as "en" or "pt-BR".
    languages = labels(max_items=20, min_length=2, max_length=35)


class TrainerSchema(Schema):
    id = fields.String(attribute="_id")
    name = fields.String()
    email = fields.String()
    topics = fields.List(fields.String())
    languages = fields.List(fields.String())
    status = fields.String()
    registered_by = fields.String()
    registered_at = fields.DateTime()


class TrainerQuerySchema(PageQuerySchema):
    topic = fields.String(load_default=None)


TrainerPageSchema = page_schema(TrainerSchema)


class MaterialCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(required=True, validate=validate.Length(min=1, max=100))
    topics = labels(max_items=50)
    format = fields.String(required=True, validate=validate.OneOf(MATERIAL_FORMATS))


class MaterialSchema(Schema):
    id = fields.String(attribute="_id")
    number = fields.String()
    title = fields.String()
    category = fields.String()
    topics = fields.List(fields.String())
    format = fields.String()
    version = fields.Integer()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    published_by = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)


class MaterialQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(MATERIAL_STATUSES))
    category = fields.String(load_default=None)


MaterialPageSchema = page_schema(MaterialSchema)


class ReservationSchema(Schema):
    session_id = fields.String(attribute="_id")
    title = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    venue = fields.String(allow_none=True)
    trainer_id = fields.String(allow_none=True)
    status = fields.String()
    requested_at = fields.DateTime()


ReservationPageSchema = page_schema(ReservationSchema)
