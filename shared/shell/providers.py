"""nameko dependency providers: the service's store, its events, the caller, calls to other
services, and the bookkeeping every entrypoint gets (metrics, logs, readiness)."""
import logging
import os
import socket
import time
import uuid

from nameko.extensions import DependencyProvider
from nameko.messaging import QueueConsumer
from nameko.rpc import Rpc, RpcProxy, ServiceProxy

from shared import logs, metrics
from shared.config import setting
from shared.consumption import EventLedger, Recorder, consume
from shared.errors import Forbidden
from shared.errors import DomainError
from shared.events import CATALOGUE, make_envelope
from shared.identity import SERVICE_ROLE, IdentityVerifier, actor, service_signer
from shared.lease import Lease
from shared.outbox import Outbox, PublishedEvents
from shared.publisher import EventPublisher
from shared.shell.topology import PlatformReplyListener
from shared.store import connect, redacted

log = logging.getLogger(__name__)

IDENTITY_HEADER = "identity"  # the worker-context key (an AMQP header) carrying the signed caller


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


def database_of(container):
    return next(dep for dep in container.dependencies if isinstance(dep, Store)).database()


class PrometheusRecorder(Recorder):
    def __init__(self, service):
        self.service = service

    def consumed(self, handler, event_type, outcome):
        # The publisher as the catalogue knows it (bounded); "unknown" for a type it lacks.
        source = CATALOGUE[event_type].source if event_type in CATALOGUE else "unknown"
        metrics.EVENTS_CONSUMED.labels(self.service, source, handler, event_type, outcome).inc()

    def lag(self, event_type, seconds):
        metrics.EVENT_DELIVERY_LAG.labels(self.service, event_type).observe(max(seconds, 0))


class WorkerEvents:
    """What a worker sees as `self.events`: new envelopes (published once the worker is done),
    reliable consumption, and the leases of timers."""

    def __init__(self, provider, correlation_id):
        self._provider = provider
        self.correlation_id = correlation_id
        self.created = []
        self.ledger = provider.ledger
        self.outbox = provider.outbox
        self.published = provider.published
        self.publisher = provider.publisher

    def new(self, type_name, subject, data):
        """A validated envelope for the outbox, carrying the caller's correlation id."""
        envelope = make_envelope(type_name, subject, data, correlation_id=self.correlation_id)
        self.created.append(envelope)
        return envelope

    def consume(self, handler_name, queue, body, apply):
        config = self._provider.container.config
        return consume(self.ledger, handler_name, queue, body, apply,
                       attempts=setting(config, "HANDLER_ATTEMPTS", int),
                       backoff_seconds=setting(config, "HANDLER_BACKOFF_SECONDS", float),
                       recorder=self._provider.recorder)

    def lease(self, name, ttl_seconds):
        return Lease(self._provider.db, name, self._provider.owner, ttl_seconds)


class Events(DependencyProvider):
    """Outbox publishing and the event ledger of a service.

    Every envelope a worker creates with `self.events.new` is published when the worker ends,
    from the document it was written to; if the process dies or the broker is down first, the
    relay timer publishes it later. No entrypoint has to remember to flush.
    """

    def __init__(self, outbox_collections=(), **kwargs):
        self.outbox_collections = outbox_collections
        super().__init__(**kwargs)

    def setup(self):
        service = self.container.service_name
        self.db = database_of(self.container)
        self.publisher = EventPublisher(setting(self.container.config, "AMQP_URI"), service)
        self.outbox = Outbox(self.db, self.publisher, self.outbox_collections, on_published=self._count)
        self.published = PublishedEvents(self.db, self.publisher)
        self.ledger = EventLedger(self.db)
        self.recorder = PrometheusRecorder(service)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.workers = {}

    def _count(self, envelope):
        metrics.EVENTS_PUBLISHED.labels(self.container.service_name, envelope["type"]).inc()

    def start(self):
        # The exchanges the service owns exist from the start, so that subscribers can bind
        # their queues to `<service>.replays` before any replay.
        self.publisher.declare_exchanges()

    def stop(self):
        self.publisher.close()

    def get_dependency(self, worker_ctx):
        events = WorkerEvents(self, worker_ctx.data.get("correlation_id"))
        self.workers[worker_ctx] = events
        return events

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        events = self.workers.get(worker_ctx)
        if events and events.created:
            try:
                self.outbox.flush(events.created)
            except Exception as exc:
                log.warning("publish after the write failed, left for the outbox relay: %r", exc)

    def worker_teardown(self, worker_ctx):
        self.workers.pop(worker_ctx, None)


class WorkerCaller:
    """What a worker sees as `self.caller`: the verified identity of whoever made the call."""

    def __init__(self, verifier, token):
        self._verifier, self._token = verifier, token

    def require(self, *roles):
        """The caller ({"id", "roles"}); Unauthenticated without a valid identity, Forbidden
        when `roles` are given and the caller has none of them (admin has them all)."""
        caller = self._verifier.verify(self._token)
        if roles and not set(caller["roles"]) & (set(roles) | {"admin"}):
            raise Forbidden("your role may not do this", {"required_roles": list(roles)})
        return caller

    def require_service(self):
        return self.require(SERVICE_ROLE)


class Caller(DependencyProvider):
    """The caller's identity, signed by the gateway (or by a fellow service) and verified here.

    A service never takes an `actor` argument: only an identity this provider verified counts.
    """

    def setup(self):
        config = self.container.config
        self.verifier = IdentityVerifier(setting(config, "IDENTITY_VERIFYING_KEY"),
                                         setting(config, "SERVICE_IDENTITY_SECRET"))

    def get_dependency(self, worker_ctx):
        return WorkerCaller(self.verifier, worker_ctx.data.get(IDENTITY_HEADER))


class _AsService:
    """A worker context whose outgoing calls carry the service's own identity."""

    def __init__(self, worker_ctx, token):
        self._worker_ctx, self._token = worker_ctx, token

    def __getattr__(self, name):
        return getattr(self._worker_ctx, name)

    @property
    def context_data(self):
        return dict(self._worker_ctx.context_data, **{IDENTITY_HEADER: self._token})


class ServiceRpc(RpcProxy):
    """Calls another service's RPC as this service (role `service`), e.g. `ServiceRpc("archive")`."""

    rpc_reply_listener = PlatformReplyListener()

    def setup(self):
        super().setup()
        self.signer = service_signer(self.container.service_name,
                                     setting(self.container.config, "SERVICE_IDENTITY_SECRET"))
        self.identity = actor(self.container.service_name, [SERVICE_ROLE])

    def get_dependency(self, worker_ctx):
        return ServiceProxy(_AsService(worker_ctx, self.signer.sign(self.identity)), self.target_service,
                            self.rpc_reply_listener, **self.options)


class Observability(DependencyProvider):
    """Counts, times and logs every entrypoint call, with the caller's correlation id."""

    def setup(self):
        self.started = {}

    def worker_setup(self, worker_ctx):
        logs.correlation_id.set(worker_ctx.data.get("correlation_id") or worker_ctx.call_id)
        logs.event_id.set(None)
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        entrypoint = worker_ctx.entrypoint
        # nameko's Rpc for the kit's quorum-queue subclass too: a stable name for dashboards.
        kind = "Rpc" if isinstance(entrypoint, Rpc) else type(entrypoint).__name__
        labels = (self.container.service_name, entrypoint.method_name, kind)
        metrics.ENTRYPOINT_REQUESTS.labels(*labels).inc()
        metrics.ENTRYPOINT_DURATION.labels(*labels).observe(
            time.perf_counter() - self.started.pop(worker_ctx, time.perf_counter()))
        if exc_info is not None:
            outcome = metrics.EXPECTED if issubclass(exc_info[0], DomainError) else metrics.FAILURE
            metrics.ENTRYPOINT_ERRORS.labels(*labels, exc_info[0].__name__, outcome).inc()


class ConsumersReady(DependencyProvider):
    """Whether the container consumes its queues yet (RPC and events): /readyz waits for it, so
    nothing is routed to a process, or to a queue not yet declared, before it can take it."""

    def get_dependency(self, worker_ctx):
        consumers = [extension for extension in self.container.shared_extensions.values()
                     if isinstance(extension, QueueConsumer)]
        # nameko 2.14 keeps this state in a private event that fires once every queue is consumed.
        return lambda: all(consumer._consumers_ready.ready() for consumer in consumers)
