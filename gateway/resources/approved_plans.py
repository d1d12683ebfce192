"""The approved plans delivery prepares sessions from (delivery service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.delivery.contract import ApprovedPlanPageSchema, ApprovedPlanSchema

from gateway.auth import any_role
from gateway.resources import call

blp = Blueprint("approved-plans", __name__, description="Plans management approved, as delivery received them.")


@blp.route("/approved-plans")
class ApprovedPlans(MethodView):
    @any_role
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=ApprovedPlanPageSchema, success=True)
    def get(self, query):
        """Plans that management approved, as delivery received them (PlanApproved.v1); staff only."""
        return call("delivery", "list_approved_plans", query)


@blp.route("/approved-plans/<plan_id>")
class ApprovedPlanById(MethodView):
    @any_role
    @blp.alt_response(200, schema=ApprovedPlanSchema, success=True)
    def get(self, plan_id):
        """One approved plan with the items delivery will schedule; staff only."""
        return call("delivery", "get_approved_plan", plan_id)
