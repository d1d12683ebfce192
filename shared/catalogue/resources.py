"""Events on resources.events."""
from marshmallow import Schema, fields, validate

from shared.events import define


class MaterialPublishedData(Schema):
    material_id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    category = fields.String(required=True)
    version = fields.Integer(required=True)
    published_at = fields.DateTime(required=True)


class MaterialRevisedData(Schema):
    material_id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    version = fields.Integer(required=True)
    previous_version = fields.Integer(required=True)
    change_summary = fields.String(required=True)
    revised_at = fields.DateTime(required=True)


class ReservedResourceData(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("trainer", "room", "equipment")))
    resource_id = fields.String(required=True)
    name = fields.String(required=True)


class ResourcesReservedData(Schema):
    session_id = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    reserved = fields.List(fields.Nested(ReservedResourceData), required=True)
    reserved_at = fields.DateTime(required=True)


class ConflictReasonData(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("trainer", "room", "equipment")))
    resource_id = fields.String(load_default=None, allow_none=True)
    # double_booked, on_leave, outside_working_hours, not_qualified, too_small, in_maintenance,
    # retired, unknown, missing
    reason = fields.String(required=True)
    detail = fields.String(required=True)


class ConflictAlternativeData(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("trainer", "room", "equipment")))
    resource_id = fields.String(required=True)
    name = fields.String(required=True)


class ResourceConflictDetectedData(Schema):
    session_id = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    conflicts = fields.List(fields.Nested(ConflictReasonData), required=True)
    alternatives = fields.List(fields.Nested(ConflictAlternativeData), required=True)  # free at that time
    detected_at = fields.DateTime(required=True)


class EquipmentRetiredData(Schema):
    equipment_id = fields.String(required=True)
    asset_tag = fields.String(required=True)
    reason = fields.String(required=True)
    retired_at = fields.DateTime(required=True)


class TrainerEvaluatedData(Schema):
    trainer_id = fields.String(required=True)
    period = fields.String(required=True)  # e.g. 2026-H1
    outcome = fields.String(required=True, validate=validate.OneOf(("reward", "keep", "development_plan", "remove")))
    reason = fields.String(required=True)
    sessions_delivered = fields.Integer(required=True)
    hours_delivered = fields.Float(required=True)
    on_time_rate = fields.Float(load_default=None, allow_none=True)  # 0-1, sessions delivered as planned
    average_rating = fields.Float(load_default=None, allow_none=True)  # 1-5, from learners' feedback
    pass_rate = fields.Float(load_default=None, allow_none=True)  # 0-1, of the trainer's learners
    evaluated_at = fields.DateTime(required=True)


MATERIAL_PUBLISHED = define("resources", "MaterialPublished", 1, MaterialPublishedData,
                            "A teaching material passed review and may now be used in sessions.")
MATERIAL_REVISED = define("resources", "MaterialRevised", 1, MaterialRevisedData,
                          "A published material was revised: a new version is in use; old versions stay readable.")
RESOURCES_RESERVED = define("resources", "ResourcesReserved", 1, ResourcesReservedData,
                            "Every resource a session asked for (trainers, room, equipment) is booked for its time.")
RESOURCE_CONFLICT_DETECTED = define("resources", "ResourceConflictDetected", 1, ResourceConflictDetectedData,
                                    "A session cannot have what it asked for; the reasons, and free alternatives "
                                    "for that time.")
EQUIPMENT_RETIRED = define("resources", "EquipmentRetired", 1, EquipmentRetiredData,
                           "A piece of equipment was scrapped; it can no longer be booked.")
TRAINER_EVALUATED = define("resources", "TrainerEvaluated", 1, TrainerEvaluatedData,
                           "A trainer's periodic evaluation was decided, with its figures and outcome.")
