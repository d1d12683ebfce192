"""What the shell declares on the broker, against the real one (shared/shell/topology.py):

  * `rpc-<service>` and `<service>.dead-letters` are quorum queues; an RPC request that expired
    in a quorum queue while its service was down is never acted on (per-message TTL);
  * each handler queue is bound to the service's `<service>.redrive` exchange by its own name,
    and a redrive goes through it (a queue that is gone leaves the event parked, 409);
  * replays go through `<service>.replays` to the one queue bound there by its name; a queue not
    bound there gets nothing and is reported;
  * with DECLARE_SHARED_TOPOLOGY=0 a service declares the exchanges it does not own passively:
    on a vhost where the topology Job has not run it creates none of them and is not ready (its
    consumers retry); once they exist it starts and works;
  * metrics: consumed events carry their source, domain errors are counted as expected.
"""
import time
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from shared.consumption import EventLedger
from shared.errors import Conflict, NotFound
from shared.events import make_envelope
from shared.outbox import PublishedEvents
from shared.publisher import EventPublisher, Unroutable
from shared.shell import Events, PlatformService, Store, handles, rpc
from shared.shell.client import RpcPool
from shared.testing import as_caller, wait_until

HANDLER_QUEUE = "evt-archive-LearnerRegistered.v1--topo.note-learners"
OPERATOR = {"id": "ops", "roles": ["admin"]}


class TopologyProbe(PlatformService):
    name = "topo"
    db = Store()
    events = Events()

    @handles("archive", "LearnerRegistered.v1", consumer="note-learners")
    def on_learner_registered(self, envelope, data):
        self.db.learners.update_one({"_id": data["learner_id"]}, {"$set": {"seen": True}}, upsert=True)

    @rpc
    def touch(self, key):
        self.db.touched.insert_one({"_id": key})
        return key

    @rpc
    def refuse(self):
        raise NotFound("nothing here")

    @rpc
    def crash(self):
        raise RuntimeError("a bug")


def registered():
    learner_id = f"learner-{uuid.uuid4().hex[:8]}"
    return make_envelope("LearnerRegistered.v1", learner_id, {
        "learner_id": learner_id, "organisation": "Acme", "registered_at": datetime(2026, 1, 5, tzinfo=timezone.utc)})


def publish_registered_and_wait(config, container):
    """Publish LearnerRegistered.v1 as the archive does, through the broker, and wait until the
    container's handler has taken it."""
    publisher = EventPublisher(config["AMQP_URI"], "archive")
    try:
        with entrypoint_waiter(container, "on_learner_registered"):
            publisher.publish(registered())
    finally:
        publisher.close()


@pytest.fixture
def config(service_config):
    return service_config("topo")


def queue(rabbit_manager, config, name):
    return rabbit_manager.get_queue(config["vhost"], name)


def metrics_text(config):
    return requests.get(f"http://{config['WEB_SERVER_ADDRESS']}/metrics", timeout=5).text


def test_rpc_and_dead_letter_queues_are_quorum_and_handler_queues_bind_to_the_redrive_exchange(
        container_factory, config, rabbit_manager):
    container_factory(TopologyProbe, config).start()

    assert queue(rabbit_manager, config, "rpc-topo")["type"] == "quorum"
    assert queue(rabbit_manager, config, "topo.dead-letters")["type"] == "quorum"
    assert queue(rabbit_manager, config, HANDLER_QUEUE)["type"] == "quorum"
    bindings = {(b["source"], b["routing_key"]) for b in rabbit_manager.get_queue_bindings(config["vhost"], HANDLER_QUEUE)}
    assert {("archive.events", "LearnerRegistered.v1"), ("topo.redrive", HANDLER_QUEUE)} <= bindings
    exchanges = {e["name"]: e["type"] for e in rabbit_manager.get_exchanges(config["vhost"])}
    assert (exchanges["topo.redrive"], exchanges["topo.replays"]) == ("direct", "topic")  # declared at start


def test_an_rpc_request_that_expired_in_the_quorum_queue_is_never_acted_on(container_factory, config, store):
    """The gateway's requests carry the caller's timeout as per-message TTL (shared.shell.client),
    so a service that comes back never acts on a request already answered 503."""
    first = container_factory(TopologyProbe, config)
    first.start()
    first.stop()  # the queue stays, with nobody consuming it
    expired, kept = f"expired-{uuid.uuid4().hex[:6]}", f"kept-{uuid.uuid4().hex[:6]}"
    with Connection(config["AMQP_URI"], transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer(serializer="json")
        rpc_exchange = Exchange("nameko-rpc", type="topic", durable=True)
        for key, ttl in ((expired, {"expiration": 1}), (kept, {})):
            producer.publish({"args": [key], "kwargs": {}}, exchange=rpc_exchange, routing_key="topo.touch",
                             reply_to="nobody-waits", correlation_id=key, mandatory=True, **ttl)
        assert connection.default_channel.queue_declare("rpc-topo", passive=True).message_count == 2
    time.sleep(1.5)

    container_factory(TopologyProbe, config).start()  # back, after the first request's TTL

    db = store(config, "topo")
    wait_until(lambda: db.touched.find_one({"_id": kept}), 15, 0.1, "the request without a TTL")
    assert db.touched.find_one({"_id": expired}) is None


def test_a_redrive_goes_back_through_the_redrive_exchange_and_a_vanished_queue_keeps_it_parked(
        container_factory, config, store):
    container = container_factory(TopologyProbe, config)
    container.start()
    db = store(config, "topo")
    ledger = EventLedger(db)
    envelope = registered()
    ledger.park("topo.note-learners", HANDLER_QUEUE, envelope, "handler_failed", "was broken", 3)
    ledger.park("topo.renamed", "evt-archive-LearnerRegistered.v1--topo.renamed", registered(), "handler_failed",
                "was broken", 3)
    with ServiceRpcProxy("topo", config, timeout=10, context_data=as_caller(OPERATOR)) as probe:
        parked = {item["queue"]: item for item in probe.list_dead_letters({})["items"]}
        with entrypoint_waiter(container, "on_learner_registered"):
            assert probe.redrive_dead_letter(parked[HANDLER_QUEUE]["id"])["status"] == "redriven"
        assert db.learners.find_one({"_id": envelope["data"]["learner_id"]})
        with pytest.raises(Conflict):
            probe.redrive_dead_letter(parked["evt-archive-LearnerRegistered.v1--topo.renamed"]["id"])
        assert [item["queue"] for item in probe.list_dead_letters({})["items"]] == [
            "evt-archive-LearnerRegistered.v1--topo.renamed"]


def test_a_replay_reaches_only_the_queue_bound_to_the_replay_exchange_by_its_name(config, mongo_client):
    db = mongo_client[f"t_replay_{uuid.uuid4().hex[:8]}"]
    publisher = EventPublisher(config["AMQP_URI"], "topo")
    try:
        publisher.declare_exchanges()
        published = PublishedEvents(db, publisher)
        envelopes = [registered() for _ in range(3)]
        for envelope in envelopes:
            db.published_events.insert_one({"_id": envelope["id"], "type": envelope["type"],
                                            "time": datetime.now(timezone.utc), "envelope": envelope})
        since, until = datetime.now(timezone.utc) - timedelta(minutes=1), datetime.now(timezone.utc) + timedelta(minutes=1)
        with Connection(config["AMQP_URI"]) as connection:
            channel = connection.default_channel
            Queue("warehouse", exchange=Exchange("topo.replays", type="topic"), routing_key="warehouse",
                  durable=True)(channel).declare()
            Queue("stranger", durable=True)(channel).declare()  # exists, but not bound to topo.replays
            # Bound to the replay exchange under another routing key: not its own name, gets nothing.
            Queue("bystander", exchange=Exchange("topo.replays", type="topic"), routing_key="someone-else",
                  durable=True)(channel).declare()

            assert published.replay("warehouse", since, until) == (3, False)
            with pytest.raises(Unroutable) as refused:
                published.replay("stranger", since, until)
            assert refused.value.sent == 0 and refused.value.exchange == "topo.replays"

            depth = {name: channel.queue_declare(name, passive=True).message_count
                     for name in ("warehouse", "stranger", "bystander")}
            assert depth == {"warehouse": 3, "stranger": 0, "bystander": 0}
            got = [channel.basic_get("warehouse", no_ack=True) for _ in range(3)]
            assert [message.delivery_info["exchange"] for message in got] == ["topo.replays"] * 3
    finally:
        publisher.close()
        mongo_client.drop_database(db.name)


def sample(text, name, **labels):
    """The value of the sample of `name` with exactly these labels (0 when there is none)."""
    for family in text_string_to_metric_families(text):
        for each in family.samples:
            if each.name == name and each.labels == {key: str(value) for key, value in labels.items()}:
                return each.value
    return 0.0


def test_consumed_events_carry_their_source_and_domain_errors_count_as_expected(container_factory, config):
    container = container_factory(TopologyProbe, config)
    container.start()
    consumed = dict(service="topo", source="archive", handler="topo.note-learners", event_type="LearnerRegistered.v1",
                    outcome="applied")
    refused = dict(service="topo", entrypoint="refuse", kind="Rpc", error="NotFound", outcome="expected")
    crashed = dict(service="topo", entrypoint="crash", kind="Rpc", error="RuntimeError", outcome="failure")
    before = metrics_text(config)  # counters live as long as the test process: compare
    publish_registered_and_wait(config, container)
    with ServiceRpcProxy("topo", config, timeout=10, context_data=as_caller(OPERATOR)) as probe:
        with pytest.raises(NotFound):
            probe.refuse()
        with pytest.raises(Exception, match="a bug"):
            probe.crash()
    after = metrics_text(config)
    assert sample(after, "training_events_consumed_total", **consumed) == sample(before, "training_events_consumed_total",
                                                                                 **consumed) + 1
    for labels in (refused, crashed):
        assert sample(after, "training_entrypoint_errors_total", **labels) == \
            sample(before, "training_entrypoint_errors_total", **labels) + 1
    wrong = dict(refused, outcome="failure")
    assert sample(after, "training_entrypoint_errors_total", **wrong) == 0  # never counted as a failure


@pytest.fixture
def bare_vhost(rabbit_manager, request):
    """A vhost where nothing is declared yet (the topology Job has not run)."""
    vhost = f"t_bare_{uuid.uuid4().hex[:8]}"
    rabbit_manager.create_vhost(vhost)
    user = request.config.getoption("RABBIT_AMQP_URI").split("://")[1].split(":")[0]
    rabbit_manager.set_vhost_permissions(vhost, user, ".*", ".*", ".*")
    yield vhost
    rabbit_manager.delete_vhost(vhost)


def test_without_the_shared_topology_a_service_declares_what_it_does_not_own_passively(
        container_factory, service_config, rabbit_manager, bare_vhost, request):
    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    config = service_config("topo", AMQP_URI=f"{amqp}/{bare_vhost}", vhost=bare_vhost, DECLARE_SHARED_TOPOLOGY=0)
    container = container_factory(TopologyProbe, config)

    starting = eventlet.spawn(container.start)
    eventlet.sleep(3)
    # Its consumers keep retrying (NOT_FOUND) instead of creating what the Job owns.
    assert not starting.dead
    names = {e["name"] for e in rabbit_manager.get_exchanges(bare_vhost)}
    assert "topo.events" in names and "topo.replays" in names  # its own, declared
    assert "archive.events" not in names and "nameko-rpc" not in names  # not its own: created by nobody
    assert requests.get(f"http://{config['WEB_SERVER_ADDRESS']}/readyz", timeout=5).status_code == 503

    # What the topology Job declares; then the same process starts and works.
    with Connection(config["AMQP_URI"]) as connection:
        for name in ("archive.events", "nameko-rpc"):
            Exchange(name, type="topic", durable=True)(connection.default_channel).declare()
    with eventlet.Timeout(30):
        starting.wait()
    publish_registered_and_wait(config, container)
    pool = RpcPool(config["AMQP_URI"], timeout_seconds=5, size=1)
    try:
        assert pool.call("topo", "touch", "k", identity=as_caller(OPERATOR)["identity"], correlation_id="test-k") == "k"
    finally:
        pool.close()
    assert queue(rabbit_manager, config, "rpc-topo")["type"] == "quorum"
