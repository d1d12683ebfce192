"""Reliable event handlers: quorum queues that requeue on error and dead-letter past a limit,
idempotent consumption with bounded retries, and the consumer of broker-dead-lettered messages."""
import functools

from kombu import Exchange, Queue, binding
from nameko.events import EventHandler, get_event_exchange
from nameko.messaging import Consumer

import shared.catalogue  # noqa: F401  (fills CATALOGUE, whose sources AllEventsConsumer binds to)
from shared.config import setting
from shared.events import CATALOGUE, lookup
from shared.shell.topology import QUORUM, redrive_binding, shared_exchange


def events_exchange(source_service, service, config):
    """The exchange a handler consumes: its own service's is declared, another's passively
    where the broker's topology Job owns it (shared.shell.topology)."""
    exchange = get_event_exchange(source_service, config)
    return exchange if source_service == service else shared_exchange(exchange, config)


def handler_queue_name(source_service, event_type, service, consumer):
    """A handler's queue, in nameko's naming for SERVICE_POOL handlers: it depends on the event
    type and the declared consumer name, never on the method's name."""
    return f"evt-{source_service}-{event_type}--{service}.{consumer}"


def dead_letter_exchange_name(service):
    return f"{service}.dead-letters"


def reliable_queue_arguments(config, service):
    """A quorum queue that redelivers a failed message up to the delivery limit, then
    dead-letters it to the service's dead-letter queue."""
    return {**QUORUM, "x-delivery-limit": setting(config, "HANDLER_DELIVERY_LIMIT", int),
            "x-dead-letter-exchange": dead_letter_exchange_name(service)}


class ReliableEventHandler(EventHandler):
    """nameko's EventHandler on a quorum queue that requeues on error (nameko 2.14 would ack and
    lose the message) and, past a delivery limit, dead-letters to the service's dead-letter queue.
    The queue is also bound to the service's redrive exchange, keyed by its own name."""

    def __init__(self, source_service, event_type, consumer, **kwargs):
        self.consumer = consumer
        kwargs["requeue_on_error"] = True
        super().__init__(source_service, event_type, **kwargs)

    def setup(self):
        config, service = self.container.config, self.container.service_name
        name = handler_queue_name(self.source_service, self.event_type, service, self.consumer)
        # (kombu ignores `exchange` when a queue has `bindings`: both bindings are listed.)
        self.queue = Queue(
            name, bindings=[binding(events_exchange(self.source_service, service, config), routing_key=self.event_type),
                            redrive_binding(service, name)],
            durable=True, queue_arguments=reliable_queue_arguments(config, service))
        Consumer.setup(self)  # nameko's EventHandler.setup would build a queue named after the method


def handles(source_service, event_type, consumer):
    """Decorate `method(self, envelope, data)` as an idempotent, retried, dead-lettered handler.

    `consumer` names what the handler does for this service (e.g. "schedule-sessions"); with the
    event type it names the queue and keys the ledger of applied events, so renaming the method
    neither orphans the queue nor applies an event a second time.
    """
    lookup(event_type)  # fail at import on a type the catalogue does not define

    def decorate(method):
        @functools.wraps(method)
        def entrypoint(self, body):
            queue = handler_queue_name(source_service, event_type, self.name, consumer)
            return self.events.consume(f"{self.name}.{consumer}", queue, body,
                                       lambda envelope, data: method(self, envelope, data))

        return ReliableEventHandler.decorator(source_service, event_type, consumer)(entrypoint)

    return decorate


class AllEventsConsumer(Consumer):
    """Every event every service publishes: one reliable queue bound to each exchange with '#'
    (and to its service's redrive exchange, keyed by its name)."""

    def __init__(self, consumer, **kwargs):
        self.consumer = consumer
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self):
        config, service = self.container.config, self.container.service_name
        sources = sorted({event_type.source for event_type in CATALOGUE.values()})
        name = all_events_queue_name(service, self.consumer)
        self.queue = Queue(name, durable=True,
                           bindings=[binding(events_exchange(source, service, config), routing_key="#")
                                     for source in sources] + [redrive_binding(service, name)],
                           queue_arguments=reliable_queue_arguments(config, service))
        super().setup()


def all_events_queue_name(service, consumer):
    return f"evt-all--{service}.{consumer}"


def handles_all(consumer):
    """Like `handles`, for every event of every service (an integration, not a business rule)."""

    def decorate(method):
        @functools.wraps(method)
        def entrypoint(self, body):
            return self.events.consume(f"{self.name}.{consumer}", all_events_queue_name(self.name, consumer), body,
                                       lambda envelope, data: method(self, envelope, data))

        return AllEventsConsumer.decorator(consumer)(entrypoint)

    return decorate


class DeadLetterConsumer(Consumer):
    """Consumes what the broker dead-lettered (delivery limit reached) into the dead-letter store."""

    def __init__(self, **kwargs):
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self):
        exchange = Exchange(dead_letter_exchange_name(self.container.service_name),
                            type="fanout", durable=True)
        self.queue = Queue(exchange.name, exchange=exchange, durable=True, queue_arguments=QUORUM)
        super().setup()

    def handle_message(self, body, message):
        deaths = message.headers.get("x-death") or [{}]
        context = {"queue": deaths[0].get("queue"), "reason": deaths[0].get("reason"),
                   "count": deaths[0].get("count")}
        self.container.spawn_worker(self, (body, context), {},
                                    context_data=self.unpack_message_headers(message),
                                    handle_result=functools.partial(self.handle_result, message))
