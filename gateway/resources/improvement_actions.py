"""Improvement actions raised from evaluation results (feedback service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.feedback.contract import (ActionNoteSchema, ImprovementActionCreateSchema, ImprovementActionPageSchema,
                                        ImprovementActionQuerySchema, ImprovementActionSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("improvement_actions", __name__, description=(
    "Improvement actions: an owner, a due date, a cause and a status (open → in_progress → done; open or "
    "in_progress → cancelled). Raising one publishes ImprovementActionRaised.v1: planning adds it to its needs "
    "backlog. Its owner or an organiser moves it on."))


@blp.route("/improvement-actions")
class ImprovementActions(MethodView):
    @staff_only
    @blp.arguments(ImprovementActionQuerySchema, location="query")
    @blp.alt_response(200, schema=ImprovementActionPageSchema, success=True)
    def get(self, query):
        """Improvement actions, soonest due first; filter by status, owner or evaluation."""
        return call("feedback", "list_improvement_actions", query)

    @roles_required("supervisor", "specialist", "manager")
    @blp.arguments(ImprovementActionCreateSchema)
    @blp.alt_response(201, schema=ImprovementActionSchema, success=True)
    def post(self, action):
        """Raise an improvement action, from an evaluation or on its own."""
        return call("feedback", "raise_improvement_action", instance(ImprovementActionCreateSchema).dump(action)), 201


@blp.route("/improvement-actions/<action_id>")
class ImprovementActionById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=ImprovementActionSchema, success=True)
    def get(self, action_id):
        """One improvement action with its history."""
        return call("feedback", "get_improvement_action", action_id)


def move_view(move, summary):
    class Move(MethodView):
        @staff_only
        @blp.arguments(ActionNoteSchema)
        @blp.alt_response(200, schema=ImprovementActionSchema, success=True)
        def post(self, note, action_id):
            return call("feedback", "move_improvement_action", action_id, move, note)

    Move.post.__doc__ = summary
    Move.__name__ = f"{move.title()}ImprovementAction"
    return Move


for _move, _summary in (("start", "Start working on an open action."),
                        ("complete", "Mark an open or started action done."),
                        ("cancel", "Cancel an open or started action.")):
    blp.route(f"/improvement-actions/<action_id>/{_move}")(move_view(_move, _summary))
