"""The equipment ledger: assets, maintenance and repairs, upgrades, usage and retirement (resources service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.resources.contract import (EquipmentCreateSchema, EquipmentMaintenanceCloseSchema,
                                         EquipmentMaintenanceOpenSchema, EquipmentPageSchema, EquipmentQuerySchema,
                                         EquipmentRetirementSchema, EquipmentSchema, EquipmentUpgradeCreateSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("equipment", __name__, description=(
    "The equipment ledger. Status: available ⇄ in_use (checked out), → maintenance → available, "
    "available or maintenance → retired (scrapped with a disposal record; never booked again). "
    "An action the status does not allow answers 409 with the current status."))
KEEPERS = ("supervisor", "specialist")


@blp.route("/equipment")
class EquipmentList(MethodView):
    @staff_only
    @blp.arguments(EquipmentQuerySchema, location="query")
    @blp.alt_response(200, schema=EquipmentPageSchema, success=True)
    def get(self, query):
        """The ledger by asset tag; filter by status, type and location."""
        return call("resources", "list_equipment", query)

    @roles_required(*KEEPERS)
    @blp.arguments(EquipmentCreateSchema)
    @blp.alt_response(201, schema=EquipmentSchema, success=True)
    def post(self, item):
        """Enter an asset in the ledger (409 if its asset tag is taken)."""
        return call("resources", "register_equipment", instance(EquipmentCreateSchema).dump(item)), 201


@blp.route("/equipment/<equipment_id>")
class EquipmentById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=EquipmentSchema, success=True)
    def get(self, equipment_id):
        """One asset with its maintenance log, upgrades, usage per session and disposal record."""
        return call("resources", "get_equipment", equipment_id)


@blp.route("/equipment/<equipment_id>/check-out")
class CheckOut(MethodView):
    @staff_only
    @blp.alt_response(200, schema=EquipmentSchema, success=True)
    def post(self, equipment_id):
        """Mark an available asset as in use."""
        return call("resources", "check_out_equipment", equipment_id)


@blp.route("/equipment/<equipment_id>/check-in")
class CheckIn(MethodView):
    @staff_only
    @blp.alt_response(200, schema=EquipmentSchema, success=True)
    def post(self, equipment_id):
        """Mark an asset in use as available again."""
        return call("resources", "check_in_equipment", equipment_id)


@blp.route("/equipment/<equipment_id>/maintenance")
class Maintenance(MethodView):
    @staff_only
    @blp.arguments(EquipmentMaintenanceOpenSchema)
    @blp.alt_response(201, schema=EquipmentSchema, success=True)
    def post(self, record, equipment_id):
        """Report a fault or start scheduled work: the asset goes into maintenance, and upcoming
        bookings that count on it are checked again (their conflict is published)."""
        return call("resources", "open_maintenance", equipment_id, record), 201


@blp.route("/equipment/<equipment_id>/maintenance/<maintenance_id>/close")
class CloseMaintenance(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(EquipmentMaintenanceCloseSchema)
    @blp.alt_response(200, schema=EquipmentSchema, success=True)
    def post(self, outcome, maintenance_id, equipment_id):
        """Record who did the work and what it cost; the asset is available again."""
        return call("resources", "close_maintenance", equipment_id, maintenance_id,
                    instance(EquipmentMaintenanceCloseSchema).dump(outcome))


@blp.route("/equipment/<equipment_id>/upgrades")
class Upgrades(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(EquipmentUpgradeCreateSchema)
    @blp.alt_response(201, schema=EquipmentSchema, success=True)
    def post(self, upgrade, equipment_id):
        """Record an upgrade (optionally a new model) of an asset in service."""
        upgrade = instance(EquipmentUpgradeCreateSchema).dump(upgrade)
        return call("resources", "record_upgrade", equipment_id, upgrade), 201


@blp.route("/equipment/<equipment_id>/retirement")
class Retirement(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(EquipmentRetirementSchema)
    @blp.alt_response(200, schema=EquipmentSchema, success=True)
    def post(self, disposal, equipment_id):
        """Scrap an asset with its disposal record. Publishes EquipmentRetired.v1; upcoming bookings of it
        turn into conflicts."""
        return call("resources", "retire_equipment", equipment_id, instance(EquipmentRetirementSchema).dump(disposal))
