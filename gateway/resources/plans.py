"""Annual plans: draft, submit, approve or reject, revise, publish; and their needs coverage."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.planning.contract import (DecisionSchema, PlanCoverageSchema, PlanCreateSchema, PlanPageSchema,
                                       PlanPublicationRequestSchema, PlanQuerySchema, PlanRevisionSchema,
                                       PlanSchema, RejectionSchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call

blp = Blueprint("plans", __name__, description=(
    "Annual training plans: draft → submitted → approved (or rejected → revised) → published. "
    "Rules: sessions within the plan year (and the item's quarter), none in the past; sessions of "
    "important items announced at least PLAN_MIN_NOTICE_DAYS (default 14) days ahead: these are "
    "errors (422, or 409 at publishing). A session overlapping the audience's declared working hours "
    "is a warning, listed in the plan's `warnings` for the approving manager, because some formats "
    "(on-site demos) can only happen then. An action the plan's state does not allow answers 409 "
    "with the current state in details."))

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
        """Draft a new annual plan (422 with per-item messages if it breaks a planning rule)."""
        return call("planning", "create_plan", instance(PlanCreateSchema).dump(plan)), 201


@blp.route("/plans/<plan_id>")
class PlanById(MethodView):
    @any_role
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def get(self, plan_id):
        """One plan with its items, warnings, earlier revisions, history and publication record."""
        return call("planning", "get_plan", plan_id)


@blp.route("/plans/<plan_id>/submit")
class SubmitPlan(MethodView):
    @roles_required(*AUTHORS)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, plan_id):
        """Submit a draft for management approval (its authors only). Publishes PlanSubmitted.v1."""
        return call("planning", "submit_plan", plan_id)


@blp.route("/plans/<plan_id>/approve")
class ApprovePlan(MethodView):
    @roles_required("manager")
    @blp.arguments(DecisionSchema)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, decision, plan_id):
        """Approve a submitted plan (managers other than its authors). Publishes PlanApproved.v1."""
        return call("planning", "approve_plan", plan_id, decision)


@blp.route("/plans/<plan_id>/reject")
class RejectPlan(MethodView):
    @roles_required("manager")
    @blp.arguments(RejectionSchema)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, decision, plan_id):
        """Reject a submitted plan with a comment (managers other than its authors). Publishes PlanRejected.v1."""
        return call("planning", "reject_plan", plan_id, decision)


@blp.route("/plans/<plan_id>/revise")
class RevisePlan(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(PlanRevisionSchema)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, revision, plan_id):
        """Revise a rejected, approved or published plan.

        The body replaces the plan's content as a new revision, back in draft, to be resubmitted.
        Items naming an item_id of the plan keep it; the replaced revision stays in `revisions`.
        A published plan that is revised is approved and published again, and its announcement
        tells users it has changed."""
        return call("planning", "revise_plan", plan_id, instance(PlanRevisionSchema).dump(revision))


@blp.route("/plans/<plan_id>/publish")
class PublishPlan(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(PlanPublicationRequestSchema)
    @blp.alt_response(200, schema=PlanSchema, success=True)
    def post(self, request, plan_id):
        """Publish an approved plan to its audiences.

        Publishes PlanPublished.v1 at once; the announcement then goes out through each requested
        channel (notice, email, sms, im) in the background, and each channel's outcome (sent, failed
        after retries, or skipped) appears in the plan's `publication.deliveries`. Channels that
        failed are tried again every ANNOUNCEMENT_RETRY_INTERVAL_SECONDS (default 300), five rounds
        at most (`publication.retry_rounds`)."""
        return call("planning", "publish_plan", plan_id, request)


@blp.route("/plans/<plan_id>/coverage")
class PlanCoverage(MethodView):
    @staff_only
    @blp.alt_response(200, schema=PlanCoverageSchema, success=True)
    def get(self, plan_id):
        """Needs the plan addresses (linked by id, or sharing a topic with an item) and needs it leaves open."""
        return call("planning", "plan_coverage", plan_id)
