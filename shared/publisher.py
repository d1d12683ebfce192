"""Publishes event envelopes to `<service>.events` with publisher confirms.

Messages are persistent JSON; routing key = event type, so nameko event handlers and plain AMQP
clients both receive them. A publish returns only once the broker has confirmed it.
"""
from amqp.exceptions import ChannelError
from kombu import Connection, Exchange
from kombu.pools import ProducerPool

from shared.events import exchange_name

POOL_SIZE = 10  # as many as a service's workers publish at once (nameko's default max_workers)


class EventPublisher:
    def __init__(self, amqp_uri, service):
        self.exchange = Exchange(exchange_name(service), type="topic", durable=True)
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True},
                                     connect_timeout=5)
        # A pool of its own (not kombu's global one, shared by every publisher with the same
        # URI), so closing one publisher never closes another's producers.
        self.connections = self.connection.Pool(limit=POOL_SIZE)
        self.producers = ProducerPool(self.connections, limit=POOL_SIZE)

    def publish(self, envelope):
        self._send(envelope, exchange=self.exchange, routing_key=envelope["type"],
                   declare=[self.exchange])

    def send_to_queue(self, queue_name, envelope):
        """Put an envelope straight into one consumer's queue (a redrive), via the default exchange."""
        self._send(envelope, exchange="", routing_key=queue_name)

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
