"""Annual plans and their approval workflow (planning service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.planning.schemas import (DecisionSchema, PlanCreateSchema, PlanPageSchema, PlanQuerySchema,
                                       PlanSchema, RejectionSchema)

from gateway.auth import any_role, roles_required
from gateway.resources import actor, call

blp = Blueprint("plans", __name__, description="Annual training plans: draft, submit, approve or reject.")

AUTHORS = ("supervisor", "specialist", "manager")


@blp.route("/plans")
class Plans(MethodView):
    @any_role
    @blp.arguments(PlanQuerySchema, location="query")
    @blp.alt_response(200, schema=PlanPageSchema, success=True)
    def get(self, query):
        """List plans, newest first; filter by year and status."""
        return call("planning", "list_plans", query)

    @roles_required(*AUTHORS)
    @blp.arguments(PlanCreateSchema)
    @blp.alt_response(201, schema=PlanSchema, success=True)
    def post(self, plan):
        """Draft a new annual plan."""
        return call("planning", "create_plan", PlanCreateSchema().dump(plan), actor()), 201


@blp.route("/plans/<plan_id>")
class PlanById(MethodView):
    @any_role
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def get(self, plan_id):
        """One plan with its items and history."""
        return call("planning", "get_plan", plan_id)


@blp.route("/plans/<plan_id>/submit")
class SubmitPlan(MethodView):
    @roles_required(*AUTHORS)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, plan_id):
        """Submit a draft for management approval (author only)."""
        return call("planning", "submit_plan", plan_id, actor())


@blp.route("/plans/<plan_id>/approve")
class ApprovePlan(MethodView):
    @roles_required("manager")
    @blp.arguments(DecisionSchema)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, decision, plan_id):
        """Approve a submitted plan (managers other than its author). Publishes PlanApproved.v1."""
        return call("planning", "approve_plan", plan_id, decision, actor())


@blp.route("/plans/<plan_id>/reject")
class RejectPlan(MethodView):
    @roles_required("manager")
    @blp.arguments(RejectionSchema)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, decision, plan_id):
        """Reject a submitted plan with a comment (managers other than its author)."""
        return call("planning", "reject_plan", plan_id, decision, actor())
