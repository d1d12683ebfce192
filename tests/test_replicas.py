"""Two replicas of a service on one database: timers run on one of them at a time (a lease), so
an event a crash left in an outbox is published once, not once per replica; when the replica
holding the lease dies, the other takes over."""
from datetime import timedelta

from shared.events import make_envelope, utc_now
from shared.store import database_name
from shared.testing import wait_until


def leftover(plans, count, tag):
    """Plans whose outbox holds an event nobody published (written long enough ago for the relay)."""
    written = utc_now() - timedelta(minutes=1)
    envelopes = []
    for n in range(count):
        plan_id = f"plan-{tag}-{n}"
        envelope = make_envelope("PlanSubmitted.v1", plan_id, {"plan_id": plan_id, "year": 2027, "title": tag,
                                                               "revision": 1, "submitted_by": "sam"}, moment=written)
        envelopes.append(envelope)
    plans.insert_many([{"_id": envelope["subject"], "status": "submitted", "outbox": [envelope]} for envelope in envelopes])
    return {envelope["id"] for envelope in envelopes}


def test_leftover_events_are_relayed_once_by_two_replicas_and_after_one_dies(
        rabbit_config, mongo_uri, mongo_client, subscriber, service_process):
    amqp = rabbit_config["AMQP_URI"]
    events = subscriber(amqp, "planning", "PlanSubmitted.v1")
    uri = mongo_uri("planning")
    db = mongo_client[database_name(uri, "planning")]
    first = service_process("planning", amqp, uri)
    second = service_process("planning", amqp, uri)

    # Enough that one relay round takes a while, so rounds of two replicas would overlap.
    expected = leftover(db.plans, 300, "crash")
    seen = events.collect(8.0, where=lambda envelope: envelope["data"]["title"] == "crash")
    assert sorted(envelope["id"] for envelope in seen) == sorted(expected)  # each exactly once
    assert db.plans.count_documents({"outbox.id": {"$exists": True}}) == 0

    holder = db.leases.find_one({"_id": "timer:relay_outbox"})["owner"]
    (first if f":{first.process.pid}:" in holder else second).kill()
    survivor = second if f":{first.process.pid}:" in holder else first
    assert survivor.process.poll() is None

    later = leftover(db.plans, 3, "after-the-crash")
    taken_over = []
    wait_until(lambda: taken_over.extend(events.collect(1.0, where=lambda e: e["data"]["title"] == "after-the-crash"))
               or len(taken_over) >= 3, timeout=30, message="the surviving replica to take the relay over")
    taken_over += events.collect(2.0, where=lambda envelope: envelope["data"]["title"] == "after-the-crash")
    assert sorted(envelope["id"] for envelope in taken_over) == sorted(later)
    assert f":{survivor.process.pid}:" in db.leases.find_one({"_id": "timer:relay_outbox"})["owner"]
