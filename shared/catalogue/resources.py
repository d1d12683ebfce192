"""Events on resources.events."""
from marshmallow import Schema, fields

from shared.events import define


class MaterialPublishedData(Schema):
    material_id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    category = fields.String(required=True)
    version = fields.Integer(required=True)
    published_at = fields.DateTime(required=True)


MATERIAL_PUBLISHED = define("resources", "MaterialPublished", 1, MaterialPublishedData,
                            "A teaching material passed review and may now be used in sessions.")
