"""Remediation (assessment service): tutoring of weak points, assigned when a result is released."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.assessment.contract import (RemediationCloseSchema, RemediationPageSchema, RemediationQuerySchema,
                                          RemediationSchema)

from gateway.auth import any_role, roles_required
from gateway.resources import call

blp = Blueprint("remediations", __name__, description=(
    "A learner whose released result failed, or passed with weak topics, gets a remediation assignment "
    "(RemediationAssigned.v1; none for pre-tests), due REMEDIATION_DUE_DAYS (default 14) later. A trainer "
    "of the assessment closes it after tutoring. Learners see only their own."))


@blp.route("/remediations")
class Remediations(MethodView):
    @any_role
    @blp.arguments(RemediationQuerySchema, location="query")
    @blp.alt_response(200, schema=RemediationPageSchema, success=True)
    def get(self, query):
        """Remediations, newest first; filter by status, exam, session and learner."""
        return call("assessment", "list_remediations", query)


@blp.route("/remediations/<remediation_id>")
class RemediationById(MethodView):
    @any_role
    @blp.alt_response(200, schema=RemediationSchema, success=True)
    def get(self, remediation_id):
        """One remediation."""
        return call("assessment", "get_remediation", remediation_id)


@blp.route("/remediations/<remediation_id>/close")
class CloseRemediation(MethodView):
    @roles_required("supervisor", "specialist", "trainer")
    @blp.arguments(RemediationCloseSchema)
    @blp.alt_response(200, schema=RemediationSchema, success=True)
    def post(self, closing, remediation_id):
        """Close it after tutoring, saying what was covered (the assessment's trainers, specialists,
        supervisors); 409 if it is closed already."""
        return call("assessment", "close_remediation", remediation_id, closing)
