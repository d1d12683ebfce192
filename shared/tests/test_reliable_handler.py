"""The nameko shell against a real broker and store: handlers apply each event once, survive a
killed worker, park what keeps failing (visible in RPC and metrics) and redrive it; events
behind a failing one keep flowing; a handler that cannot even park falls back to the broker's
dead-letter queue."""
import uuid
from datetime import datetime, timezone

import eventlet
import pytest
import requests
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from shared.events import make_envelope
from shared.publisher import EventPublisher
from shared.shell import Events, PlatformService, Store, handles
from shared.testing import as_caller, wait_until

# What the probe's handler does per organisation: "fail", "block" or (default) apply.
BEHAVIOUR = {}
RELEASE = eventlet.event.Event()


class ProbeService(PlatformService):
    name = "probe"
    db = Store()
    events = Events()

    @handles("archive", "LearnerRegistered.v1", consumer="count-learners")
    def on_learner_registered(self, envelope, data):
        behaviour = BEHAVIOUR.get(data["organisation"])
        if behaviour == "fail":
            raise RuntimeError(f"cannot handle {data['organisation']}")
        if behaviour == "block":
            RELEASE.wait()
        self.db.applied.update_one({"_id": data["learner_id"]}, {"$inc": {"times": 1}}, upsert=True)


@pytest.fixture(autouse=True)
def reset_behaviour():
    BEHAVIOUR.clear()
    yield
    BEHAVIOUR.clear()


@pytest.fixture
def config(service_config):
    return service_config("probe")


@pytest.fixture
def publisher(config):
    publisher = EventPublisher(config["AMQP_URI"], "archive")
    yield publisher
    publisher.close()


def registered(organisation="Acme"):
    learner_id = f"learner-{uuid.uuid4().hex[:8]}"
    return make_envelope("LearnerRegistered.v1", learner_id, {
        "learner_id": learner_id, "organisation": organisation,
        "registered_at": datetime(2026, 1, 5, tzinfo=timezone.utc)})


def times_applied(db, envelope):
    doc = db.applied.find_one({"_id": envelope["data"]["learner_id"]})
    return doc["times"] if doc else 0


def metric(config, name):
    body = requests.get(f"http://{config['WEB_SERVER_ADDRESS']}/metrics", timeout=5).text
    for line in body.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_the_same_event_delivered_twice_is_applied_once(container_factory, config, publisher, store):
    container = container_factory(ProbeService, config)
    container.start()
    envelope = registered()

    for _ in range(2):
        with entrypoint_waiter(container, "on_learner_registered"):
            publisher.publish(envelope)

    assert times_applied(store(config, "probe"), envelope) == 1


def test_an_event_survives_a_worker_killed_while_handling_it(container_factory, config, publisher, store):
    BEHAVIOUR["Slow Ltd"] = "block"
    first = container_factory(ProbeService, config)
    first.start()
    envelope = registered("Slow Ltd")
    publisher.publish(envelope)
    wait_until(lambda: first._worker_threads, message="the handler to start")

    first.kill()  # the handler never finished: the message was never acked
    BEHAVIOUR.clear()
    second = container_factory(ProbeService, config)
    with entrypoint_waiter(second, "on_learner_registered"):
        second.start()

    assert times_applied(store(config, "probe"), envelope) == 1


def test_a_failing_event_is_parked_visible_and_redrivable_while_others_flow(
        container_factory, config, publisher, store):
    BEHAVIOUR["Broken Inc"] = "fail"
    container = container_factory(ProbeService, config)
    container.start()
    poisoned, healthy = registered("Broken Inc"), registered("Healthy plc")

    with entrypoint_waiter(container, "on_learner_registered"):
        publisher.publish(poisoned)
    with entrypoint_waiter(container, "on_learner_registered"):
        publisher.publish(healthy)

    db = store(config, "probe")
    assert times_applied(db, healthy) == 1
    assert times_applied(db, poisoned) == 0
    operator = as_caller({"id": "ops", "roles": ["admin"]})
    with ServiceRpcProxy("probe", config, timeout=10, context_data=operator) as probe:
        parked = probe.list_dead_letters({})
        assert parked["total"] == 1
        dead_letter = parked["items"][0]
        assert dead_letter["body"]["id"] == poisoned["id"]
        assert dead_letter["attempts"] == config["HANDLER_ATTEMPTS"]
        assert "cannot handle Broken Inc" in dead_letter["error"]
        assert metric(config, "training_dead_letters") == 1.0

        BEHAVIOUR.clear()  # the cause is fixed; send it again
        with entrypoint_waiter(container, "on_learner_registered"):
            assert probe.redrive_dead_letter(dead_letter["id"])["status"] == "redriven"

        assert times_applied(db, poisoned) == 1
        assert probe.list_dead_letters({})["total"] == 0
        assert metric(config, "training_dead_letters") == 0.0


def test_when_parking_fails_the_broker_dead_letters_the_event_into_the_store(
        container_factory, config, publisher, store):
    BEHAVIOUR["Broken Inc"] = "fail"
    db = store(config, "probe")
    # Make every in-worker park fail with a real store error: a unique index it collides with.
    db.dead_letters.create_index("reason", unique=True)
    db.dead_letters.insert_one({"_id": "occupied", "reason": "handler_failed", "status": "occupied"})
    container = container_factory(ProbeService, config)
    container.start()
    poisoned = registered("Broken Inc")

    publisher.publish(poisoned)

    fallback = wait_until(lambda: db.dead_letters.find_one({"reason": "delivery_limit"}), timeout=30,
                          message="the broker to dead-letter the event")
    assert fallback["body"]["id"] == poisoned["id"]
    assert fallback["queue"] == "evt-archive-LearnerRegistered.v1--probe.count-learners"
    assert fallback["status"] == "parked"


def test_ops_endpoints_answer(container_factory, config):
    container_factory(ProbeService, config).start()
    base = f"http://{config['WEB_SERVER_ADDRESS']}"

    assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{base}/readyz", timeout=5).json()["status"] == "ready"
    body = requests.get(f"{base}/metrics", timeout=5).text
    assert "process_start_time_seconds" in body
    assert 'training_outbox_backlog_events{service="probe"} 0.0' in body
