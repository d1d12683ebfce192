"""Interface tests of resources through its real entrypoints, real broker and real store."""
from datetime import datetime, timezone

import eventlet
import pytest

from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver, rpc_to

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


@pytest.fixture
def as_(container, rpc_as):
    return lambda caller: rpc_as(container, caller)


def this_year_number(sequence):
    return f"MAT-{datetime.now(timezone.utc).year}-{sequence:04d}"


def test_catalogue_numbers_are_sequential_and_unique_even_under_concurrent_writers(as_, container, resources):
    first = [as_(WRITER).create_material(MATERIAL)["number"] for _ in range(3)]
    assert first == [this_year_number(sequence) for sequence in (1, 2, 3)]

    def create(_):
        with rpc_to(container, WRITER) as writer:
            return writer.create_material(MATERIAL)["number"]

    concurrent = list(eventlet.GreenPool(8).imap(create, range(8)))
    assert sorted(concurrent) == [this_year_number(sequence) for sequence in range(4, 12)]


def test_published_material_reaches_an_outside_subscriber(as_, resources, subscriber):
    events = subscriber(resources["AMQP_URI"], "resources")
    draft = as_(WRITER).create_material(MATERIAL)
    published = as_(REVIEWER).publish_material(draft["id"])

    envelope = events.wait_for("MaterialPublished.v1")
    assert events.last_routing_key == "MaterialPublished.v1"
    assert envelope["source"] == "/training/resources"
    assert envelope["subject"] == draft["id"]
    assert {key: value for key, value in envelope["data"].items() if key != "published_at"} == {
        "material_id": draft["id"], "number": draft["number"], "title": "Reporting basics",
        "category": "reporting", "version": 1}
    assert (draft["status"], draft["version"]) == ("draft", 1)
    assert (published["status"], published["published_by"]) == ("published", "sam")


def test_publishing_twice_is_a_conflict_and_announced_once(as_, resources, subscriber, store):
    events = subscriber(resources["AMQP_URI"], "resources")
    draft = as_(WRITER).create_material(MATERIAL)
    as_(REVIEWER).publish_material(draft["id"])
    with pytest.raises(Conflict) as refused:
        as_(SUPERVISOR).publish_material(draft["id"])
    assert refused.value.details["status"] == "published"

    events.wait_for("MaterialPublished.v1")
    with pytest.raises(pytest.fail.Exception):
        events.wait_for("MaterialPublished.v1", timeout=2)
    assert store(resources, "resources")["materials"].find_one({"_id": draft["id"]})["outbox"] == []


def test_invalid_input_is_refused_and_nothing_is_written(as_, resources, store):
    with pytest.raises(InvalidInput) as refused:
        as_(WRITER).create_material(dict(MATERIAL, format="hologram", title=""))
    assert set(refused.value.details["fields"]) == {"format", "title"}
    with pytest.raises(InvalidInput) as refused:
        as_(SUPERVISOR).register_trainer(dict(TRAINER, email="not-an-email", languages=[]))
    assert set(refused.value.details["fields"]) == {"email", "languages"}

    db = store(resources, "resources")
    assert (db["materials"].count_documents({}), db["trainers"].count_documents({})) == (0, 0)


def test_unknown_ids_are_not_found(as_, resources):
    for method in (as_(SUPERVISOR).get_material, as_(SUPERVISOR).get_trainer):
        with pytest.raises(NotFound):
            method("missing")
    with pytest.raises(NotFound):
        as_(REVIEWER).publish_material("missing")


def test_trainer_pool_is_listed_by_topic_and_emails_are_unique(as_, resources):
    ada = as_(SUPERVISOR).register_trainer(TRAINER)
    as_(SUPERVISOR).register_trainer({"name": "Bob Kahn", "email": "bob@example.com", "topics": ["networks"],
                            "languages": ["en", "de"]})
    with pytest.raises(Conflict):
        as_(SUPERVISOR).register_trainer(dict(TRAINER, name="Ada again"))

    assert as_(SUPERVISOR).list_trainers({})["total"] == 2
    by_topic = as_(SUPERVISOR).list_trainers({"topic": "reports"})
    assert [trainer["id"] for trainer in by_topic["items"]] == [ada["id"]]
    assert by_topic["total"] == 1
    assert as_(SUPERVISOR).get_trainer(ada["id"]) == by_topic["items"][0]
    assert (ada["status"], ada["registered_by"]) == ("active", "sue")


def test_scheduled_session_is_recorded_once_though_delivered_twice(as_, resources, container):
    envelope = make_envelope("SessionScheduled.v1", "session-1", SESSION)
    # The same event twice (a redelivery), then another event about the same session.
    deliveries = [envelope, envelope, make_envelope("SessionScheduled.v1", "session-1", dict(SESSION, title="Again"))]
    deliver(container, "on_session_scheduled", "delivery", *deliveries)

    reservations = as_(SUPERVISOR).list_reservations({})
    assert reservations["total"] == 1
    assert reservations["items"][0] == {
        "session_id": "session-1", "title": "Reporting basics, cohort 1", "status": "pending_assignment",
        "trainer_id": None, "venue": None, "starts_at": "2026-03-02T09:00:00+00:00",
        "ends_at": "2026-03-02T12:00:00+00:00", "requested_at": reservations["items"][0]["requested_at"]}
