"""Replays of published events into one subscriber's queue, for a system that needs to backfill."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import ReplayRequestSchema, ReplayResultSchema, instance

from gateway.auth import roles_required
from gateway.resources import call, known_service

blp = Blueprint("event-replays", __name__, description=(
    "Each service keeps what it published for EVENT_RETENTION_DAYS (default 30). An administrator "
    "re-delivers a time range and set of types to one subscriber's queue only: the other subscribers "
    "see nothing. Replayed envelopes keep their ids, so a subscriber that deduplicates by id applies "
    "each once. See docs/integration/subscribing.md."))


@blp.route("/event-replays/<service>")
class EventReplays(MethodView):
    @roles_required("admin")
    @blp.arguments(ReplayRequestSchema)
    @blp.alt_response(200, schema=ReplayResultSchema, success=True)
    def post(self, request, service):
        """Replay what `service` published in [since, until) to `queue` (at most `limit` events, oldest first)."""
        known_service(service)
        return call(service, "replay_events", instance(ReplayRequestSchema).dump(request))
