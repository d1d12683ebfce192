"""The broker the project's scripts start keeps events that no queue was bound for yet: every
<service>.events exchange falls back to the `unrouted` exchange and its durable queue."""
import random
import string
from datetime import datetime, timezone

from kombu import Connection, Exchange, Queue

from shared.events import make_envelope
from shared.publisher import EventPublisher


def test_an_event_published_before_any_consumer_queue_exists_is_kept_with_its_routing_key(request):
    amqp_uri = request.config.getoption("RABBIT_AMQP_URI")  # the default vhost, set up by rabbitmq.sh
    # A service name (letters only, as the policy expects) whose exchange no queue is bound to.
    service = "probe" + "".join(random.choices(string.ascii_lowercase, k=8))
    envelope = make_envelope("LearnerRegistered.v1", "learner-1", {
        "learner_id": "learner-1", "organisation": "Acme", "registered_at": datetime(2026, 1, 5, tzinfo=timezone.utc)})
    envelope["source"] = f"/training/{service}"

    publisher = EventPublisher(amqp_uri, service)
    publisher.publish(envelope)
    publisher.close()

    with Connection(amqp_uri) as connection:
        unrouted = Queue("unrouted", Exchange("unrouted", type="fanout"), durable=True)(connection.default_channel)
        kept = None
        while (message := unrouted.get(no_ack=True)) is not None:
            if message.payload.get("id") == envelope["id"]:
                kept = message
    assert kept is not None
    assert kept.delivery_info["routing_key"] == "LearnerRegistered.v1"
    assert kept.delivery_info["exchange"] == f"{service}.events"
