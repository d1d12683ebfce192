"""Each service's dead-letter store: events its handlers could not apply, and their redrive."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import DeadLetterQuerySchema, DeadLetterSchema, page_schema

from gateway.auth import roles_required
from gateway.resources import call, known_service

blp = Blueprint("dead-letters", __name__, description="Parked events per service, for operators.")

DeadLetterPageSchema = page_schema(DeadLetterSchema)


@blp.route("/dead-letters/<service>")
class DeadLetters(MethodView):
    @roles_required("admin", "supervisor")
    @blp.arguments(DeadLetterQuerySchema, location="query")
    @blp.alt_response(200, schema=DeadLetterPageSchema, success=True)
    def get(self, query, service):
        """Events a service's handlers parked after their retries ran out."""
        known_service(service)
        return call(service, "list_dead_letters", query)


@blp.route("/dead-letters/<service>/<path:dead_letter_id>/redrive")
class Redrive(MethodView):
    @roles_required("admin", "supervisor")
    @blp.alt_response(200, schema=DeadLetterSchema, success=True)
    def post(self, service, dead_letter_id):
        """Send a parked event back to its handler; it is applied at most once."""
        known_service(service)
        return call(service, "redrive_dead_letter", dead_letter_id)
