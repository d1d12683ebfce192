"""Rooms and venues with their capacity and fittings (resources service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.resources.contract import RoomCreateSchema, RoomPageSchema, RoomQuerySchema, RoomSchema, RoomUpdateSchema

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("rooms", __name__, description="Rooms and venues sessions are booked into.")
KEEPERS = ("supervisor", "specialist")


@blp.route("/rooms")
class Rooms(MethodView):
    @staff_only
    @blp.arguments(RoomQuerySchema, location="query")
    @blp.alt_response(200, schema=RoomPageSchema, success=True)
    def get(self, query):
        """Rooms by site and name; filter by site, minimum capacity, fitting and status."""
        return call("resources", "list_rooms", query)

    @roles_required(*KEEPERS)
    @blp.arguments(RoomCreateSchema)
    @blp.alt_response(201, schema=RoomSchema, success=True)
    def post(self, room):
        """Add a room (409 if the site already has one of that name)."""
        return call("resources", "create_room", room), 201


@blp.route("/rooms/<room_id>")
class RoomById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=RoomSchema, success=True)
    def get(self, room_id):
        """One room."""
        return call("resources", "get_room", room_id)

    @roles_required(*KEEPERS)
    @blp.arguments(RoomUpdateSchema)
    @blp.alt_response(200, schema=RoomSchema, success=True)
    def patch(self, changes, room_id):
        """Change a room's capacity, fittings or status; upcoming bookings of it are checked again."""
        return call("resources", "update_room", room_id, changes)
