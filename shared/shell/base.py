"""PlatformService, the base of every service: outbox relay, dead letters, ops endpoints."""
import functools
import json
import logging
import time
import uuid

from nameko.timer import timer
from nameko.web.handlers import http
from werkzeug.wrappers import Response

import shared.shell.remote  # noqa: F401  (domain errors cross RPC intact)
from shared import metrics
from shared.config import setting
from shared.errors import Conflict, DomainError, NotFound, validated
from shared.events import utc_now
from shared.publisher import Unroutable
from shared.schemas import DeadLetterQuerySchema, DeadLetterSchema, ReplayRequestSchema, ReplayResultSchema, instance
from shared.shell.handlers import DeadLetterConsumer, handles
from shared.shell.providers import Caller, ConsumersReady, Events, Observability, Store
from shared.shell.topology import PlatformRpc

log = logging.getLogger(__name__)

# nameko's @rpc on a quorum queue (shared.shell.topology), with domain errors marked as expected:
# nameko logs them briefly, not as crashes.
rpc = PlatformRpc.decorator(expected_exceptions=DomainError)

OPERATORS = ("admin", "supervisor")


def singleton_timer(interval_seconds, eager=False):
    """nameko's @timer, but each round runs on one replica only: the one holding the timer's
    lease (shared.lease), which it renews every round and another replica takes once it expires.
    `eager` runs the first round at start (e.g. a daily job that must not wait a day)."""

    def decorate(method):
        lease_seconds = interval_seconds * 2 + 5

        @functools.wraps(method)
        def entrypoint(self):
            if self.events.lease(f"timer:{method.__name__}", lease_seconds).acquire():
                return method(self)
            return None

        return timer(interval=interval_seconds, eager=eager)(entrypoint)

    return decorate


class PlatformService:
    """Base of every service; subclasses set `name`, `db = Store(...)` and `events = Events(...)`."""

    name = None
    db = Store()
    events = Events()
    caller = Caller()
    observability = Observability()
    consumers_ready = ConsumersReady()

    @singleton_timer(setting(None, "OUTBOX_RELAY_INTERVAL_SECONDS", float))
    def relay_outbox(self):
        sent = self.events.outbox.relay(setting(None, "OUTBOX_RELAY_MIN_AGE_SECONDS", float))
        if sent:
            log.info("outbox relay published %d event(s) left behind", sent)

    @singleton_timer(3600)
    def prune_published_events(self):
        self.events.published.prune(setting(None, "EVENT_RETENTION_DAYS", int, default=30), utc_now())

    @handles("archive", "LearnerErased.v1", consumer="forget-in-kit-stores")
    def forget_erased_learner(self, envelope, data):
        """The kit's own stores honour an erasure too: events kept for replay and parked events.
        (Each service erases what its domain holds in its own handler.)"""
        pseudonym = f"erased-{uuid.uuid4().hex[:12]}"
        self.events.published.pseudonymise(data["learner_id"], pseudonym)
        self.events.ledger.pseudonymise(data["learner_id"], pseudonym)

    @rpc
    def replay_events(self, request):
        """Re-deliver published events to one subscriber's queue (a backfill); administrators only."""
        self.caller.require("admin")
        request = validated(ReplayRequestSchema, request)
        if not self.events.publisher.queue_exists(request["queue"]):
            raise NotFound(f"no queue named {request['queue']}", {"queue": request["queue"]})
        try:
            sent, more = self.events.published.replay(request["queue"], request["since"], request["until"],
                                                      request["types"], request["limit"])
        except Unroutable as exc:
            raise NotFound(f"queue {request['queue']} is not bound to {exc.exchange} with its name as routing key",
                           {"queue": request["queue"], "exchange": exc.exchange, "replayed": exc.sent}) from None
        log.info("replayed %d event(s) to %s", sent, request["queue"])
        return instance(ReplayResultSchema).dump({"queue": request["queue"], "replayed": sent, "more": more})

    @rpc
    def list_dead_letters(self, query=None):
        self.caller.require(*OPERATORS)
        query = validated(DeadLetterQuerySchema, query or {})
        total, items = self.events.ledger.list(query["status"], query["limit"], query["offset"])
        return {"total": total, "items": DeadLetterSchema(many=True).dump(items)}

    @rpc
    def redrive_dead_letter(self, dead_letter_id):
        """Send a parked event back to its handler's queue (through the service's redrive exchange,
        where that queue is bound by its name); the ledger keeps it applied once."""
        self.caller.require(*OPERATORS)
        ledger = self.events.ledger
        parked = ledger.get(dead_letter_id)
        if parked is None or parked["status"] != "parked":
            raise NotFound(f"no parked event {dead_letter_id}")
        try:
            self.events.publisher.redrive(parked["queue"], parked["body"])
        except Unroutable as exc:
            raise Conflict(f"the queue {parked['queue']} is gone or not bound to {exc.exchange}; the event stays parked",
                           {"queue": parked["queue"]}) from None
        ledger.mark_redriven(dead_letter_id)
        return instance(DeadLetterSchema).dump(ledger.get(dead_letter_id))

    @DeadLetterConsumer.decorator()
    def park_dead_letter(self, body, death):
        handler = (death.get("queue") or "unknown").split("--")[-1]
        try:
            self.events.ledger.park(handler, death.get("queue"), body, death.get("reason") or "dead-lettered",
                                    "the broker's delivery limit was reached", death.get("count") or 0)
        except Exception:
            time.sleep(1)  # the store is down: the message goes back to the queue, but not in a tight loop
            raise

    @http("GET", "/healthz")
    def ops_healthz(self, request):
        return Response('{"status": "ok"}', mimetype="application/json")

    @http("GET", "/readyz")
    def ops_readyz(self, request):
        problems = {} if self.consumers_ready() else {"consumers": "not consuming its queues yet"}
        try:
            self.db.command("ping")
        except Exception as exc:
            problems["store"] = repr(exc)
        try:
            self.events.publisher.check_connection()
        except Exception as exc:
            problems["broker"] = repr(exc)
        body = {"status": "unready" if problems else "ready", "problems": problems}
        return Response(json.dumps(body), status=503 if problems else 200,
                        mimetype="application/json")

    @http("GET", "/metrics")
    def ops_metrics(self, request):
        try:
            metrics.OUTBOX_BACKLOG.labels(self.name).set(self.events.outbox.backlog())
            metrics.DEAD_LETTERS.labels(self.name).set(self.events.ledger.parked_count())
        except Exception as exc:  # a down store must not hide the other metrics
            log.warning("could not read store gauges: %r", exc)
        body, content_type = metrics.exposition()
        return Response(body, content_type=content_type)
