"""Publishes event envelopes to `<service>.events` with publisher confirms.

Messages are persistent JSON; routing key = event type, so nameko event handlers and plain AMQP
clients both receive them. A publish returns only once the broker has confirmed it.

Envelopes meant for one queue alone (a redrive to a handler's queue, a replay into one
subscriber's queue) go through exchanges the service owns, `<service>.redrive` (direct) and
`<service>.replays`, with the queue's name as routing key, never through the default exchange:
a service's broker user may write only to its own exchanges. They are published `mandatory`,
so a queue that is not bound there is reported (Unroutable) instead of the envelope vanishing.
The replay exchange is a topic exchange only so that RabbitMQ's topic permissions can limit the
binding keys each subscriber's user may bind with (its own queue names): no subscriber can bind
another's queue name and receive its backfill. Queue names carry no wildcards, so a binding by
name matches that name alone, as a direct exchange would.
"""
from amqp.exceptions import ChannelError
from kombu import Connection, Exchange, Producer
from kombu.pools import ProducerPool

from shared.events import exchange_name, replay_exchange_name

POOL_SIZE = 10  # as many as a service's workers publish at once (nameko's default max_workers)


class Unroutable(Exception):
    """No queue is bound to `exchange` with the routing key; `sent` envelopes went before it."""

    def __init__(self, exchange, routing_key, sent):
        super().__init__(f"no queue bound to {exchange} with routing key {routing_key}")
        self.exchange, self.routing_key, self.sent = exchange, routing_key, sent


class EventPublisher:
    def __init__(self, amqp_uri, service):
        self.exchange = Exchange(exchange_name(service), type="topic", durable=True)
        self.redrive_exchange = Exchange(f"{service}.redrive", type="direct", durable=True)
        self.replay_exchange = Exchange(replay_exchange_name(service), type="topic", durable=True)
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True},
                                     connect_timeout=5)
        # A pool of its own (not kombu's global one, shared by every publisher with the same
        # URI), so closing one publisher never closes another's producers.
        self.connections = self.connection.Pool(limit=POOL_SIZE)
        self.producers = ProducerPool(self.connections, limit=POOL_SIZE)

    def publish(self, envelope):
        self._send(envelope, exchange=self.exchange, routing_key=envelope["type"],
                   declare=[self.exchange])

    def declare_exchanges(self):
        """Declare the exchanges this service owns (events, redrive, replay)."""
        with self.connection.clone(connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=10, interval_start=0.5, interval_step=1, interval_max=5)
            channel = connection.default_channel
            for exchange in (self.exchange, self.redrive_exchange, self.replay_exchange):
                exchange.declare(channel=channel)

    def redrive(self, queue_name, envelope):
        """Put an envelope back into one handler's queue (bound to `<service>.redrive` by its name)."""
        self.send_to_queue(self.redrive_exchange, queue_name, [envelope])

    def replay(self, queue_name, envelopes):
        """Put envelopes into one subscriber's queue (bound to `<service>.replays` by its name)."""
        return self.send_to_queue(self.replay_exchange, queue_name, envelopes)

    def send_to_queue(self, exchange, queue_name, envelopes):
        """Publish each envelope to the one queue bound to `exchange` (direct) under its name, with
        confirms; Unroutable as soon as one comes back unrouted (the first: nothing was sent).
        Returns how many were sent."""
        returned = []
        with self.connection.clone(connect_timeout=5) as connection:
            producer = Producer(connection.channel(),
                                on_return=lambda exc, exchange, routing_key, message: returned.append(routing_key))
            sent = 0
            for envelope in envelopes:
                producer.publish(envelope, exchange=exchange, routing_key=queue_name, mandatory=True,
                                 serializer="json", delivery_mode=2, declare=[exchange])
                # With confirms the broker returns an unroutable message before it acks it.
                if returned:
                    raise Unroutable(exchange.name, queue_name, sent)
                sent += 1
            return sent

    def queue_exists(self, queue_name):
        with self.connection.clone(connect_timeout=5) as connection:
            try:
                connection.default_channel.queue_declare(queue_name, passive=True)
                return True
            except ChannelError:
                return False

    def check_connection(self):
        with self.connection.clone(connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)

    def _send(self, envelope, **route):
        with self.producers.acquire(block=True, timeout=10) as producer:
            producer.publish(
                envelope, serializer="json", delivery_mode=2, retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
                **route)

    def close(self):
        self.producers.force_close_all()
        self.connections.force_close_all()
        self.connection.release()
