"""Certificates (assessment service): issued for passing a certifying assessment, with an expiry date."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.assessment.contract import CertificatePageSchema, CertificateQuerySchema, CertificateSchema

from gateway.auth import any_role
from gateway.resources import call

blp = Blueprint("certificates", __name__, description=(
    "Passing an assessment that certifies issues a numbered certificate (CertificateIssued.v1), valid for "
    "the assessment's number of months. Every CERTIFICATE_CHECK_INTERVAL_SECONDS (default daily) the "
    "service announces, once each, the certificates expiring within CERTIFICATE_EXPIRY_WINDOW_DAYS "
    "(default 60): CertificateExpiring.v1, which planning turns into a recertification need. Learners see "
    "only their own."))


@blp.route("/certificates")
class Certificates(MethodView):
    @any_role
    @blp.arguments(CertificateQuerySchema, location="query")
    @blp.alt_response(200, schema=CertificatePageSchema, success=True)
    def get(self, query):
        """Certificates, newest first; filter by learner, exam, and those expiring within some days."""
        return call("assessment", "list_certificates", query)


@blp.route("/certificates/<certificate_id>")
class CertificateById(MethodView):
    @any_role
    @blp.alt_response(200, schema=CertificateSchema, success=True)
    def get(self, certificate_id):
        """One certificate."""
        return call("assessment", "get_certificate", certificate_id)
