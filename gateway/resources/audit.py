"""The archive's audit log: every read of a learner's archive and every change, for auditors."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.archive.contract import AuditPageSchema, AuditQuerySchema

from gateway.auth import roles_required
from gateway.resources import call

blp = Blueprint("audit", __name__, description=__doc__)


@blp.route("/audit")
class AuditLog(MethodView):
    @roles_required("auditor")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.alt_response(200, schema=AuditPageSchema, success=True)
    def get(self, query):
        """Who read or changed which learner's archive, when, what and why; newest first.

        Actions: register, import, update, erase, read_learner, read_archive, export, transcript,
        xapi, read_denied (a refused attempt), list_learners, search, analytics, and event (a
        change another service's event made; the actor is that service)."""
        return call("archive", "list_audit", query)
