"""Publishes event envelopes to `<service>.events` with publisher confirms.

Messages are persistent JSON; routing key = event type, so nameko event handlers and plain AMQP
clients both receive them. A publish returns only once the broker has confirmed it.
"""
from kombu import Connection, Exchange
from kombu.pools import producers

from shared.events import exchange_name


class EventPublisher:
    def __init__(self, amqp_uri, service):
        self.exchange = Exchange(exchange_name(service), type="topic", durable=True)
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True},
                                     connect_timeout=5)

    def publish(self, envelope):
        self._send(envelope, exchange=self.exchange, routing_key=envelope["type"],
                   declare=[self.exchange])

    def send_to_queue(self, queue_name, envelope):
        """Put an envelope straight into one consumer's queue (a redrive), via the default exchange."""
        self._send(envelope, exchange="", routing_key=queue_name)

    def check_connection(self):
        with self.connection.clone(connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)

    def _send(self, envelope, **route):
        with producers[self.connection].acquire(block=True, timeout=10) as producer:
            producer.publish(
                envelope, serializer="json", delivery_mode=2, retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
                **route)

    def close(self):
        producers[self.connection].force_close_all()
        self.connection.release()
