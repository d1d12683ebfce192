"""Trainer pool, teaching materials and session reservations (resources service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.resources.contract import (MaterialCreateSchema, MaterialPageSchema, MaterialQuerySchema,
                                        MaterialSchema, ReservationPageSchema, TrainerCreateSchema,
                                        TrainerPageSchema, TrainerQuerySchema, TrainerSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("resources", __name__,
                description="The trainer pool, the teaching-material catalogue and reservations for sessions.")

AUTHORS = ("supervisor", "specialist", "trainer")
REVIEWERS = ("supervisor", "specialist")


@blp.route("/trainers")
class Trainers(MethodView):
    @staff_only
    @blp.arguments(TrainerQuerySchema, location="query")
    @blp.alt_response(200, schema=TrainerPageSchema, success=True)
    def get(self, query):
        """The trainer pool by name; filter by topic."""
        return call("resources", "list_trainers", query)

    @roles_required("supervisor")
    @blp.arguments(TrainerCreateSchema)
    @blp.alt_response(201, schema=TrainerSchema, success=True)
    def post(self, trainer):
        """Add a trainer to the pool (active from the start)."""
        return call("resources", "register_trainer", trainer), 201


@blp.route("/trainers/<trainer_id>")
class TrainerById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=TrainerSchema, success=True)
    def get(self, trainer_id):
        """One trainer."""
        return call("resources", "get_trainer", trainer_id)


@blp.route("/materials")
class Materials(MethodView):
    @staff_only
    @blp.arguments(MaterialQuerySchema, location="query")
    @blp.alt_response(200, schema=MaterialPageSchema, success=True)
    def get(self, query):
        """The material catalogue in number order; filter by status and category."""
        return call("resources", "list_materials", query)

    @roles_required(*AUTHORS)
    @blp.arguments(MaterialCreateSchema)
    @blp.alt_response(201, schema=MaterialSchema, success=True)
    def post(self, material):
        """Write a new material: a draft, version 1, with the next catalogue number (MAT-<year>-<nnnn>)."""
        return call("resources", "create_material", material), 201


@blp.route("/materials/<material_id>")
class MaterialById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def get(self, material_id):
        """One material."""
        return call("resources", "get_material", material_id)


@blp.route("/materials/<material_id>/publish")
class PublishMaterial(MethodView):
    @roles_required(*REVIEWERS)
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def post(self, material_id):
        """Publish a reviewed draft. Publishes MaterialPublished.v1; 409 if it is not a draft."""
        return call("resources", "publish_material", material_id)


@blp.route("/reservations")
class Reservations(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=ReservationPageSchema, success=True)
    def get(self, query):
        """Reservation requests for scheduled sessions (from SessionScheduled.v1), in start order."""
        return call("resources", "list_reservations", query)
