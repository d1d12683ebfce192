"""Sessions and the approved plans delivery prepares them from (delivery service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.delivery.contract import (ApprovedPlanPageSchema, ApprovedPlanSchema, SessionCreateSchema,
                                       SessionPageSchema, SessionQuerySchema, SessionSchema)

from gateway.auth import any_role, roles_required
from gateway.resources import call

blp = Blueprint("delivery", __name__, description="Training sessions and the approved plans behind them.")


@blp.route("/approved-plans")
class ApprovedPlans(MethodView):
    @any_role
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=ApprovedPlanPageSchema, success=True)
    def get(self, query):
        """Plans that management approved, as delivery received them (PlanApproved.v1)."""
        return call("delivery", "list_approved_plans", query)


@blp.route("/approved-plans/<plan_id>")
class ApprovedPlanById(MethodView):
    @any_role
    @blp.alt_response(200, schema=ApprovedPlanSchema, success=True)
    def get(self, plan_id):
        """One approved plan with the items delivery will schedule."""
        return call("delivery", "get_approved_plan", plan_id)


@blp.route("/sessions")
class Sessions(MethodView):
    @any_role
    @blp.arguments(SessionQuerySchema, location="query")
    @blp.alt_response(200, schema=SessionPageSchema, success=True)
    def get(self, query):
        """Sessions in start order; filter by plan."""
        return call("delivery", "list_sessions", query)

    @roles_required("supervisor", "specialist", "trainer")
    @blp.arguments(SessionCreateSchema)
    @blp.alt_response(201, schema=SessionSchema, success=True)
    def post(self, session):
        """Put a session on the calendar. Publishes SessionScheduled.v1."""
        return call("delivery", "schedule_session", SessionCreateSchema().dump(session)), 201


@blp.route("/sessions/<session_id>")
class SessionById(MethodView):
    @any_role
    @blp.alt_response(200, schema=SessionSchema, success=True)
    def get(self, session_id):
        """One session."""
        return call("delivery", "get_session", session_id)
