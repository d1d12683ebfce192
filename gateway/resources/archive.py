"""Learners' training archives (archive service). Access is restricted: learners see their own."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.archive.contract import (LearnerCreateSchema, LearnerPageSchema, LearnerQuerySchema,
                                      LearnerSchema, PlanLogPageSchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call

blp = Blueprint("archive", __name__, description="Learner archives and the history of approved plans.")


@blp.route("/learners")
class Learners(MethodView):
    @staff_only
    @blp.arguments(LearnerQuerySchema, location="query")
    @blp.alt_response(200, schema=LearnerPageSchema, success=True)
    def get(self, query):
        """List learners by last name; filter by organisation (staff only)."""
        return call("archive", "list_learners", query)

    @roles_required("supervisor", "specialist")
    @blp.arguments(LearnerCreateSchema)
    @blp.alt_response(201, schema=LearnerSchema, success=True)
    def post(self, learner):
        """Open a learner's archive. Publishes LearnerRegistered.v1 (no personal data in it)."""
        return call("archive", "register_learner", learner), 201


@blp.route("/learners/<learner_id>")
class LearnerById(MethodView):
    @any_role
    @blp.alt_response(200, schema=LearnerSchema, success=True)
    def get(self, learner_id):
        """One learner's archive; a learner may read only their own."""
        return call("archive", "get_learner", learner_id)


@blp.route("/archive/plan-log")
class PlanLog(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=PlanLogPageSchema, success=True)
    def get(self, query):
        """Approved plans as the archive recorded them, newest first."""
        return call("archive", "list_plan_log", query)
