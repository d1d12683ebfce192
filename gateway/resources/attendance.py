"""Attendance and self check-in of a session (delivery service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema, instance
from services.delivery.contract import (AttendanceRequestSchema, CheckInCodeSchema, CheckInSchema,
                                       EnrolmentPageSchema, EnrolmentSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("attendance", __name__, description=(
    "Attendance per enrolled learner (present, late, absent, excused) with a participation score (0-100) "
    "and notes, recorded by the session's trainers while it runs and corrected after; each record "
    "publishes AttendanceRecorded.v1. Learners check themselves in with the short-lived code their "
    "trainer shows (DELIVERY_CHECK_IN_MINUTES, default 15); later than DELIVERY_LATE_AFTER_MINUTES "
    "(default 10) after the start counts as late."))

MANAGING = ("supervisor", "specialist", "trainer")


@blp.route("/sessions/<session_id>/attendance")
class Attendance(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=EnrolmentPageSchema, success=True)
    def get(self, query, session_id):
        """Enrolled learners with their attendance."""
        return call("delivery", "list_attendance", session_id, query)

    @roles_required(*MANAGING)
    @blp.arguments(AttendanceRequestSchema)
    @blp.alt_response(200, schema=EnrolmentPageSchema, success=True)
    def post(self, request, session_id):
        """Record attendance of enrolled learners (in progress or completed sessions), all or nothing."""
        return call("delivery", "record_attendance", session_id, instance(AttendanceRequestSchema).dump(request))


@blp.route("/sessions/<session_id>/check-in-code")
class CheckInCode(MethodView):
    @roles_required(*MANAGING)
    @blp.alt_response(201, schema=CheckInCodeSchema, success=True)
    def post(self, session_id):
        """Open the check-in of a ready or running session: a new six-digit code and its expiry."""
        return call("delivery", "open_check_in", session_id), 201


@blp.route("/sessions/<session_id>/check-in")
class CheckIn(MethodView):
    @roles_required("learner")
    @blp.arguments(CheckInSchema)
    @blp.alt_response(200, schema=EnrolmentSchema, success=True)
    def post(self, request, session_id):
        """Check yourself in with the room's code (enrolled learners only; the first check-in counts;
        five guesses at each code, then 409 until the trainer opens a new one)."""
        return call("delivery", "check_in", session_id, request)
