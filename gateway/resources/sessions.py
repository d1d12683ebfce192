"""Training sessions: the calendar, their life (ready, start, complete, reschedule, cancel) and
their preparation (delivery service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.delivery.contract import (ChecklistSchema, ChecklistTickSchema, ReadySchema, ReasonSchema,
                                       SessionCreateSchema, SessionPageSchema, SessionQuerySchema,
                                       SessionRescheduleSchema, SessionSchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call

blp = Blueprint("sessions", __name__, description=(
    "Training sessions: scheduled → ready → in_progress → completed, or cancelled. Sessions come from "
    "published plans (one per scheduled date of each item) or are scheduled by hand. Supervisors and "
    "specialists manage every session; trainers manage the sessions they teach (their id in trainer_ids). "
    "Learners see sessions open to them (a reduced view). `ready` needs a complete preparation checklist, "
    "or a supervisor's override with a reason. `go_no_go` flags a session below its minimum participants "
    "within DELIVERY_GO_NO_GO_DAYS (default 3) of its start. An action the state does not allow answers "
    "409 with the current state."))

MANAGING = ("supervisor", "specialist", "trainer")


@blp.route("/sessions")
class Sessions(MethodView):
    @any_role
    @blp.arguments(SessionQuerySchema, location="query")
    @blp.alt_response(200, schema=SessionPageSchema, success=True)
    def get(self, query):
        """Sessions in start order; filter by plan, status, format, trainer, start window, or at_risk."""
        return call("delivery", "list_sessions", instance(SessionQuerySchema).dump(query))

    @roles_required(*MANAGING)
    @blp.arguments(SessionCreateSchema)
    @blp.alt_response(201, schema=SessionSchema, success=True)
    def post(self, session):
        """Schedule a session by hand. Publishes SessionScheduled.v1 (resources books trainers, room, equipment)."""
        return call("delivery", "schedule_session", instance(SessionCreateSchema).dump(session)), 201


@blp.route("/sessions/<session_id>")
class SessionById(MethodView):
    @any_role
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def get(self, session_id):
        """One session (staff see preparation, go/no-go, history and record)."""
        return call("delivery", "get_session", session_id)


@blp.route("/sessions/<session_id>/reschedule")
class RescheduleSession(MethodView):
    @roles_required(*MANAGING)
    @blp.arguments(SessionRescheduleSchema)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def post(self, change, session_id):
        """Change time, place, link, trainers, equipment or capacity, with a reason.

        Learners keep their seats and get an updated invitation (SEQUENCE raised); a larger capacity
        promotes the waiting list. Back to `scheduled`: bookings, the platform test and reminders are
        checked again. Publishes SessionRescheduled.v1."""
        return call("delivery", "reschedule_session", session_id, instance(SessionRescheduleSchema).dump(change))


@blp.route("/sessions/<session_id>/cancel")
class CancelSession(MethodView):
    @roles_required(*MANAGING)
    @blp.arguments(ReasonSchema)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def post(self, request, session_id):
        """Cancel with a reason; enrolments end and learners get a calendar cancellation. Publishes
        SessionCancelled.v1. The session is kept."""
        return call("delivery", "cancel_session", session_id, request)


@blp.route("/sessions/<session_id>/ready")
class MarkReady(MethodView):
    @roles_required(*MANAGING)
    @blp.arguments(ReadySchema)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def post(self, request, session_id):
        """Declare the session prepared: 409 listing the missing checklist items, unless a supervisor
        gives an `override_reason`."""
        return call("delivery", "mark_ready", session_id, request)


@blp.route("/sessions/<session_id>/start")
class StartSession(MethodView):
    @roles_required(*MANAGING)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def post(self, session_id):
        """Start a ready session."""
        return call("delivery", "start_session", session_id)


@blp.route("/sessions/<session_id>/complete")
class CompleteSession(MethodView):
    @roles_required(*MANAGING)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def post(self, session_id):
        """Close a session in progress. Publishes SessionCompleted.v1 with every enrolled learner's
        attendance and participation (no attendance recorded counts as absent)."""
        return call("delivery", "complete_session", session_id)


@blp.route("/sessions/<session_id>/checklist")
class Checklist(MethodView):
    @staff_only
    @blp.alt_response(200, schema=ChecklistSchema, success=True)
    def get(self, session_id):
        """The preparation checklist (derived from the format), the platform test and resource bookings
        or conflicts (ResourcesReserved.v1 ticks venue and equipment; ResourceConflictDetected.v1 flags)."""
        return call("delivery", "get_checklist", session_id)


@blp.route("/sessions/<session_id>/checklist/<item>")
class ChecklistItem(MethodView):
    @roles_required(*MANAGING)
    @blp.arguments(ChecklistTickSchema)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def post(self, tick, session_id, item):
        """Tick (or untick) a checklist item by hand: venue, equipment, materials, exercises,
        participants_confirmed or reminders_sent. The platform test ticks only by passing."""
        return call("delivery", "tick_checklist_item", session_id, item, tick)


@blp.route("/sessions/<session_id>/platform-test")
class PlatformTest(MethodView):
    @roles_required(*MANAGING)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def post(self, session_id):
        """Test the online session's link now: a real HTTP request (DELIVERY_PLATFORM_TEST_TIMEOUT_SECONDS,
        default 5), result and latency recorded; a pass ticks `platform_test`."""
        return call("delivery", "test_platform", session_id)
