"""What happened in a session: its interaction log and its record (delivery service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.delivery.contract import (InteractionCreateSchema, InteractionPageSchema, InteractionQuerySchema,
                                       InteractionSchema, SessionRecordSchema, SessionSchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call

blp = Blueprint("session-log", __name__, description=(
    "The interaction log (questions asked and answered, discussion points) and the session record "
    "(content covered, deviations from the lesson plan, incidents, trainer notes). Learners enrolled in "
    "a session log their own questions and points and read the log; trainers log everything."))

MANAGING = ("supervisor", "specialist", "trainer")


@blp.route("/sessions/<session_id>/interactions")
class Interactions(MethodView):
    @any_role
    @blp.arguments(InteractionQuerySchema, location="query")
    @blp.alt_response(200, schema=InteractionPageSchema, success=True)
    def get(self, query, session_id):
        """The interaction log in order; filter by kind."""
        return call("delivery", "list_interactions", session_id, query)

    @any_role
    @blp.arguments(InteractionCreateSchema)
    @blp.alt_response(201, schema=InteractionSchema, success=True)
    def post(self, interaction, session_id):
        """Log a question, an answer (`in_reply_to` the question, which is then answered) or a discussion point."""
        return call("delivery", "log_interaction", session_id, interaction), 201


@blp.route("/sessions/<session_id>/record")
class SessionRecord(MethodView):
    @staff_only
    @blp.alt_response(200, schema=SessionRecordSchema, success=True)
    def get(self, session_id):
        """The session record (empty until written)."""
        return call("delivery", "get_session", session_id).get("record") or {}

    @roles_required(*MANAGING)
    @blp.arguments(SessionRecordSchema)
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def put(self, record, session_id):
        """Write the record of a session in progress or completed (replaces the previous one)."""
        return call("delivery", "write_record", session_id, record)
