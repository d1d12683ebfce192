"""Interface tests of resources through its real entrypoints, real broker and real store."""
from datetime import datetime, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver

from services.resources.service import ResourcesService

WRITER = {"id": "tom", "roles": ["trainer"]}
REVIEWER = {"id": "sam", "roles": ["specialist"]}
SUPERVISOR = {"id": "sue", "roles": ["supervisor"]}
MATERIAL = {"title": "Reporting basics", "category": "reporting", "topics": ["reports"], "format": "slides"}
TRAINER = {"name": "Ada Byron", "email": "ada@example.com", "topics": ["reports", "admin"], "languages": ["en"]}
SESSION = {"session_id": "session-1", "title": "Reporting basics, cohort 1", "format": "online",
           "starts_at": datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
           "ends_at": datetime(2026, 3, 2, 12, tzinfo=timezone.utc), "venue": None, "capacity": 20}


@pytest.fixture
def container(running_service):
    return running_service(ResourcesService)


@pytest.fixture
def resources(container):
    return container.config


def rpc(config):
    return ServiceRpcProxy("resources", config, timeout=10)


def this_year_number(sequence):
    return f"MAT-{datetime.now(timezone.utc).year}-{sequence:04d}"


def test_catalogue_numbers_are_sequential_and_unique_even_under_concurrent_writers(resources):
    with rpc(resources) as proxy:
        first = [proxy.create_material(MATERIAL, WRITER)["number"] for _ in range(3)]
    assert first == [this_year_number(sequence) for sequence in (1, 2, 3)]

    def create(_):
        with rpc(resources) as proxy:
            return proxy.create_material(MATERIAL, WRITER)["number"]

    concurrent = list(eventlet.GreenPool(8).imap(create, range(8)))
    assert sorted(concurrent) == [this_year_number(sequence) for sequence in range(4, 12)]


def test_published_material_reaches_an_outside_subscriber(resources, subscriber):
    events = subscriber(resources["AMQP_URI"], "resources")
    with rpc(resources) as proxy:
        draft = proxy.create_material(MATERIAL, WRITER)
        published = proxy.publish_material(draft["id"], REVIEWER)

    envelope = events.wait_for("MaterialPublished.v1")
    assert events.last_routing_key == "MaterialPublished.v1"
    assert envelope["source"] == "/training/resources"
    assert envelope["subject"] == draft["id"]
    assert {key: value for key, value in envelope["data"].items() if key != "published_at"} == {
        "material_id": draft["id"], "number": draft["number"], "title": "Reporting basics",
        "category": "reporting", "version": 1}
    assert (draft["status"], draft["version"]) == ("draft", 1)
    assert (published["status"], published["published_by"]) == ("published", "sam")


def test_publishing_twice_is_a_conflict_and_announced_once(resources, subscriber, store):
    events = subscriber(resources["AMQP_URI"], "resources")
    with rpc(resources) as proxy:
        draft = proxy.create_material(MATERIAL, WRITER)
        proxy.publish_material(draft["id"], REVIEWER)
        with pytest.raises(Conflict) as refused:
            proxy.publish_material(draft["id"], SUPERVISOR)
    assert refused.value.details["status"] == "published"

    events.wait_for("MaterialPublished.v1")
    with pytest.raises(pytest.fail.Exception):
        events.wait_for("MaterialPublished.v1", timeout=2)
    assert store(resources, "resources")["materials"].find_one({"_id": draft["id"]})["outbox"] == []


def test_invalid_input_is_refused_and_nothing_is_written(resources, store):
    with rpc(resources) as proxy:
        with pytest.raises(InvalidInput) as refused:
            proxy.create_material(dict(MATERIAL, format="hologram", title=""), WRITER)
        assert set(refused.value.details["fields"]) == {"format", "title"}
        with pytest.raises(InvalidInput) as refused:
            proxy.register_trainer(dict(TRAINER, email="not-an-email", languages=[]), SUPERVISOR)
        assert set(refused.value.details["fields"]) == {"email", "languages"}

    db = store(resources, "resources")
    assert (db["materials"].count_documents({}), db["trainers"].count_documents({})) == (0, 0)


def test_unknown_ids_are_not_found(resources):
    with rpc(resources) as proxy:
        for method in (proxy.get_material, proxy.get_trainer):
            with pytest.raises(NotFound):
                method("missing")
        with pytest.raises(NotFound):
            proxy.publish_material("missing", REVIEWER)


def test_trainer_pool_is_listed_by_topic_and_emails_are_unique(resources):
    with rpc(resources) as proxy:
        ada = proxy.register_trainer(TRAINER, SUPERVISOR)
        proxy.register_trainer({"name": "Bob Kahn", "email": "bob@example.com", "topics": ["networks"],
                                "languages": ["en", "de"]}, SUPERVISOR)
        with pytest.raises(Conflict):
            proxy.register_trainer(dict(TRAINER, name="Ada again"), SUPERVISOR)

        assert proxy.list_trainers({})["total"] == 2
        by_topic = proxy.list_trainers({"topic": "reports"})
        assert [trainer["id"] for trainer in by_topic["items"]] == [ada["id"]]
        assert by_topic["total"] == 1
        assert proxy.get_trainer(ada["id"]) == by_topic["items"][0]
    assert (ada["status"], ada["registered_by"]) == ("active", "sue")


def test_scheduled_session_is_recorded_once_though_delivered_twice(resources, container):
    envelope = make_envelope("SessionScheduled.v1", "session-1", SESSION)
    # The same event twice (a redelivery), then another event about the same session.
    deliveries = [envelope, envelope, make_envelope("SessionScheduled.v1", "session-1", dict(SESSION, title="Again"))]
    deliver(container, "on_session_scheduled", "delivery", *deliveries)

    with rpc(resources) as proxy:
        reservations = proxy.list_reservations({})
    assert reservations["total"] == 1
    assert reservations["items"][0] == {
        "session_id": "session-1", "title": "Reporting basics, cohort 1", "status": "pending_assignment",
        "trainer_id": None, "venue": None, "starts_at": "2026-03-02T09:00:00+00:00",
        "ends_at": "2026-03-02T12:00:00+00:00", "requested_at": reservations["items"][0]["requested_at"]}
