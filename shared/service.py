"""The nameko shell every service shares: store, outbox, reliable handlers, ops endpoints.

A service subclasses PlatformService and gets, besides its own entrypoints:
  * `self.db`      its MongoDB database (indexes created at start);
  * `self.events`  new envelopes, outbox flushing after a write, reliable consumption;
  * a timer that relays outbox events a crash or outage left unsent;
  * RPC `list_dead_letters` / `redrive_dead_letter` over its dead-letter store;
  * GET /metrics, /healthz, /readyz on its own port (nameko's WEB_SERVER_ADDRESS).
Domain code never imports this module.
"""
import functools
import json
import logging
import os
import time

from kombu import Exchange, Queue
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer
from nameko.rpc import Rpc
from nameko.timer import timer
from nameko.web.handlers import http
from werkzeug.wrappers import Response

import shared.remote  # noqa: F401  (domain errors cross RPC intact)
from shared import logs, metrics
from shared.config import setting
from shared.consumption import EventLedger, Recorder, consume
from shared.errors import DomainError, NotFound, validated
from shared.events import make_envelope
from shared.outbox import Outbox
from shared.publisher import EventPublisher
from shared.schemas import DeadLetterQuerySchema, DeadLetterSchema
from shared.store import connect, redacted

log = logging.getLogger(__name__)

# nameko's @rpc, with domain errors marked as expected: nameko logs them briefly, not as crashes.
rpc = Rpc.decorator(expected_exceptions=DomainError)

RELAY_INTERVAL_SECONDS = float(os.environ.get("OUTBOX_RELAY_INTERVAL_SECONDS", "5"))


class Store(DependencyProvider):
    """The service's own database; `ensure_indexes(db)` runs at start, retried while the store boots."""

    def __init__(self, ensure_indexes=None, **kwargs):
        self.ensure_indexes = ensure_indexes
        super().__init__(**kwargs)

    def setup(self):
        self.database()

    def database(self):
        """Connect on first use; other providers' setup may ask before ours has run."""
        if getattr(self, "db", None) is None:
            config = self.container.config
            self.uri = setting(config, "MONGO_URI")
            self.client, self.db = connect(self.uri, self.container.service_name,
                                           setting(config, "MONGO_TIMEOUT_SECONDS", float))
        return self.db

    def start(self):
        deadline = time.monotonic() + 60
        while True:
            try:
                EventLedger.ensure_indexes(self.db)
                for events in self.container.dependencies:
                    if isinstance(events, Events):
                        Outbox.ensure_indexes(self.db, events.outbox_collections)
                if self.ensure_indexes:
                    self.ensure_indexes(self.db)
                log.info("store ready at %s (database %s)", redacted(self.uri), self.db.name)
                return
            except Exception as exc:  # the store may still be starting next to us
                if time.monotonic() > deadline:
                    raise
                log.warning("store not ready yet: %r", exc)
                time.sleep(1)

    def stop(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.db


class PrometheusRecorder(Recorder):
    def __init__(self, service):
        self.service = service

    def consumed(self, handler, event_type, outcome):
        metrics.EVENTS_CONSUMED.labels(self.service, handler, event_type, outcome).inc()

    def lag(self, event_type, seconds):
        metrics.EVENT_DELIVERY_LAG.labels(self.service, event_type).observe(max(seconds, 0))


class WorkerEvents:
    """What a worker sees as `self.events`."""

    def __init__(self, provider, correlation_id):
        self._provider = provider
        self.correlation_id = correlation_id
        self.ledger = provider.ledger
        self.outbox = provider.outbox
        self.publisher = provider.publisher

    def new(self, type_name, subject, data):
        """A validated envelope for the outbox, carrying the caller's correlation id."""
        return make_envelope(type_name, subject, data, correlation_id=self.correlation_id)

    def flush(self, collection, doc_id):
        """Publish a just-written document's outbox now; on failure the relay publishes it later."""
        try:
            self._provider.outbox.flush(collection, doc_id)
        except Exception as exc:
            log.warning("publish after write failed, left for the outbox relay: %r", exc)

    def consume(self, handler_name, queue, body, apply):
        provider = self._provider
        config = provider.container.config
        return consume(provider.ledger, handler_name, queue, body, apply,
                       attempts=setting(config, "HANDLER_ATTEMPTS", int),
                       backoff_seconds=setting(config, "HANDLER_BACKOFF_SECONDS", float),
                       recorder=provider.recorder)


class Events(DependencyProvider):
    """Outbox publishing and the event ledger of a service."""

    def __init__(self, outbox_collections=(), **kwargs):
        self.outbox_collections = outbox_collections
        super().__init__(**kwargs)

    def setup(self):
        service = self.container.service_name
        db = next(dep for dep in self.container.dependencies if isinstance(dep, Store)).database()
        self.publisher = EventPublisher(setting(self.container.config, "AMQP_URI"), service)
        self.outbox = Outbox(db, self.publisher, self.outbox_collections, on_published=self._count)
        self.ledger = EventLedger(db)
        self.recorder = PrometheusRecorder(service)

    def _count(self, envelope):
        metrics.EVENTS_PUBLISHED.labels(self.container.service_name, envelope["type"]).inc()

    def stop(self):
        self.publisher.close()

    def get_dependency(self, worker_ctx):
        return WorkerEvents(self, worker_ctx.data.get("correlation_id"))


class Observability(DependencyProvider):
    """Counts, times and logs every entrypoint call, with the caller's correlation id."""

    def setup(self):
        self.started = {}

    def worker_setup(self, worker_ctx):
        logs.correlation_id.set(worker_ctx.data.get("correlation_id") or worker_ctx.call_id)
        logs.event_id.set(None)
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        labels = (self.container.service_name, worker_ctx.entrypoint.method_name,
                  type(worker_ctx.entrypoint).__name__)
        metrics.ENTRYPOINT_REQUESTS.labels(*labels).inc()
        metrics.ENTRYPOINT_DURATION.labels(*labels).observe(
            time.perf_counter() - self.started.pop(worker_ctx, time.perf_counter()))
        if exc_info is not None:
            metrics.ENTRYPOINT_ERRORS.labels(*labels, exc_info[0].__name__).inc()


class ConsumersReady(DependencyProvider):
    """Whether the container consumes its queues yet (RPC and events): /readyz waits for it, so
    nothing is routed to a process, or to a queue not yet declared, before it can take it."""

    def get_dependency(self, worker_ctx):
        consumers = [extension for extension in self.container.shared_extensions.values()
                     if isinstance(extension, QueueConsumer)]
        # nameko 2.14 keeps this state in a private event that fires once every queue is consumed.
        return lambda: all(consumer._consumers_ready.ready() for consumer in consumers)


def handler_queue_name(source_service, event_type, service, method_name):
    """nameko's queue name for a SERVICE_POOL event handler."""
    return f"evt-{source_service}-{event_type}--{service}.{method_name}"


def dead_letter_exchange_name(service):
    return f"{service}.dead-letters"


class ReliableEventHandler(EventHandler):
    """nameko's EventHandler on a quorum queue that requeues on error (nameko 2.14 would ack and
    lose the message) and, past a delivery limit, dead-letters to the service's dead-letter queue."""

    def __init__(self, source_service, event_type, **kwargs):
        kwargs["requeue_on_error"] = True
        super().__init__(source_service, event_type, **kwargs)

    def setup(self):
        super().setup()  # builds self.queue; it is declared only when the consumer starts
        self.queue.queue_arguments = {
            "x-queue-type": "quorum",
            "x-delivery-limit": setting(self.container.config, "HANDLER_DELIVERY_LIMIT", int),
            "x-dead-letter-exchange": dead_letter_exchange_name(self.container.service_name),
        }


def handles(source_service, event_type):
    """Decorate `method(self, envelope, data)` as an idempotent, retried, dead-lettered handler."""

    def decorate(method):
        @functools.wraps(method)
        def entrypoint(self, body):
            queue = handler_queue_name(source_service, event_type, self.name, method.__name__)
            return self.events.consume(f"{self.name}.{method.__name__}", queue, body,
                                       lambda envelope, data: method(self, envelope, data))

        return ReliableEventHandler.decorator(source_service, event_type)(entrypoint)

    return decorate


class DeadLetterConsumer(Consumer):
    """Consumes what the broker dead-lettered (delivery limit reached) into the dead-letter store."""

    def __init__(self, **kwargs):
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self):
        exchange = Exchange(dead_letter_exchange_name(self.container.service_name),
                            type="fanout", durable=True)
        self.queue = Queue(exchange.name, exchange=exchange, durable=True)
        super().setup()

    def handle_message(self, body, message):
        deaths = message.headers.get("x-death") or [{}]
        context = {"queue": deaths[0].get("queue"), "reason": deaths[0].get("reason"),
                   "count": deaths[0].get("count")}
        self.container.spawn_worker(self, (body, context), {},
                                    context_data=self.unpack_message_headers(message),
                                    handle_result=functools.partial(self.handle_result, message))


class PlatformService:
    """Base of every service; subclasses set `name`, `db = Store(...)` and `events = Events(...)`."""

    name = None
    db = Store()
    events = Events()
    observability = Observability()
    consumers_ready = ConsumersReady()

    @timer(interval=RELAY_INTERVAL_SECONDS)
    def relay_outbox(self):
        # Both relay settings come from the environment: the timer's interval is fixed at import.
        sent = self.events.outbox.relay(setting(None, "OUTBOX_RELAY_MIN_AGE_SECONDS", float))
        if sent:
            log.info("outbox relay published %d event(s) left behind", sent)

    @rpc
    def list_dead_letters(self, query=None):
        query = validated(DeadLetterQuerySchema(), query or {})
        total, items = self.events.ledger.list(query["status"], query["limit"], query["offset"])
        return {"total": total, "items": DeadLetterSchema(many=True).dump(items)}

    @rpc
    def redrive_dead_letter(self, dead_letter_id):
        """Send a parked event back to its handler's queue; the ledger keeps it applied once."""
        ledger = self.events.ledger
        parked = ledger.get(dead_letter_id)
        if parked is None or parked["status"] != "parked":
            raise NotFound(f"no parked event {dead_letter_id}")
        self.events.publisher.send_to_queue(parked["queue"], parked["body"])
        ledger.mark_redriven(dead_letter_id)
        return DeadLetterSchema().dump(ledger.get(dead_letter_id))

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
