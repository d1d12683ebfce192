"""Bookings of trainers, rooms and equipment for sessions, with their conflicts (resources service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.resources.contract import BookingPageSchema, BookingQuerySchema, BookingSchema

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("bookings", __name__, description=(
    "One booking per session, made when delivery schedules, reschedules or cancels it "
    "(SessionScheduled/Rescheduled/Cancelled.v1). All or nothing: the session's trainers, room and "
    "equipment are all reserved (ResourcesReserved.v1), or none is and every conflict is listed with free "
    "alternatives for that time (ResourceConflictDetected.v1). Conflicts: double_booked, on_leave, "
    "outside_working_hours, not_qualified, too_small, in_maintenance, retired, unknown, missing."))


@blp.route("/bookings")
class Bookings(MethodView):
    @staff_only
    @blp.arguments(BookingQuerySchema, location="query")
    @blp.alt_response(200, schema=BookingPageSchema, success=True)
    def get(self, query):
        """Bookings in start order; filter by status, trainer, room, equipment and start time."""
        return call("resources", "list_bookings", instance(BookingQuerySchema).dump(query))


@blp.route("/bookings/<session_id>")
class BookingById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=BookingSchema, success=True)
    def get(self, session_id):
        """A session's booking: what it asked for, what it holds, its conflicts and the alternatives."""
        return call("resources", "get_booking", session_id)


@blp.route("/bookings/<session_id>/recheck")
class RecheckBooking(MethodView):
    @roles_required("supervisor", "specialist")
    @blp.alt_response(200, schema=BookingSchema, success=True)
    def post(self, session_id):
        """Book the session again as things stand now (after a repair, a new room, a trainer back from leave).

        Publishes ResourcesReserved.v1 or ResourceConflictDetected.v1; 409 for a cancelled or completed session.
        Bookings are also rechecked by themselves when a trainer's leave or profile, a room, or a piece of
        equipment they count on changes."""
        return call("resources", "recheck_booking", session_id)
