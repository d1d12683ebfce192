"""Outbox against a real store and broker: written with the change, published, then removed."""
from datetime import datetime, timedelta, timezone

import pytest

from shared.events import make_envelope
from shared.outbox import Outbox, with_events
from shared.publisher import EventPublisher

REGISTERED = {"learner_id": "learner-1", "organisation": "Acme",
              "registered_at": datetime(2026, 1, 5, tzinfo=timezone.utc)}


@pytest.fixture
def db(mongo_client, mongo_uri):
    return mongo_client[mongo_uri("outbox").rsplit("/", 1)[1]]


@pytest.fixture
def publisher(rabbit_config):
    publisher = EventPublisher(rabbit_config["AMQP_URI"], "archive")
    yield publisher
    publisher.close()


def event(moment=None):
    return make_envelope("LearnerRegistered.v1", "learner-1", REGISTERED, moment=moment)


def test_flush_publishes_pending_events_and_empties_the_outbox(db, publisher, subscriber, rabbit_config):
    events = subscriber(rabbit_config["AMQP_URI"], "archive")
    envelope = event()
    db.learners.insert_one({"_id": "learner-1"})
    db.learners.update_one({"_id": "learner-1"}, with_events({"$set": {"status": "active"}}, envelope))
    outbox = Outbox(db, publisher, ["learners"])
    assert outbox.backlog() == 1

    assert outbox.flush([envelope]) == 1

    received = events.wait_for("LearnerRegistered.v1")
    assert received == envelope
    assert events.last_routing_key == "LearnerRegistered.v1"
    assert events.last_properties["delivery_mode"] == 2  # persistent
    assert db.learners.find_one({"_id": "learner-1"}) == {"_id": "learner-1", "status": "active", "outbox": []}
    assert outbox.backlog() == 0


def test_relay_publishes_only_events_older_than_the_grace_period(db, publisher, subscriber, rabbit_config):
    events = subscriber(rabbit_config["AMQP_URI"], "archive")
    old, fresh = event(datetime.now(timezone.utc) - timedelta(minutes=5)), event()
    db.learners.insert_one({"_id": "learner-1", "outbox": [old, fresh]})
    outbox = Outbox(db, publisher, ["learners"])

    assert outbox.relay(min_age_seconds=60) == 1

    assert events.wait_for("LearnerRegistered.v1")["id"] == old["id"]
    assert db.learners.find_one({"_id": "learner-1"})["outbox"] == [fresh]


def test_events_stay_in_the_outbox_when_the_broker_is_unreachable(db):
    unreachable = EventPublisher("amqp://guest:guest@127.0.0.1:1/", "archive")
    db.learners.insert_one({"_id": "learner-1", "outbox": [event()]})
    outbox = Outbox(db, unreachable, ["learners"])

    with pytest.raises(Exception):
        outbox.flush(db.learners.find_one()["outbox"])

    assert outbox.backlog() == 1


def test_flush_finds_events_written_to_a_document_of_another_subject(db, publisher, subscriber, rabbit_config):
    """Most events are written to the document they are about; the others are found by their id."""
    events = subscriber(rabbit_config["AMQP_URI"], "archive")
    about_learner, unwritten = event(), event()
    db.enrolments.insert_one({"_id": "enrolment-7", "outbox": [about_learner]})
    outbox = Outbox(db, publisher, ["learners", "enrolments"])

    assert outbox.flush([about_learner, unwritten]) == 1  # the unwritten one is nowhere: skipped

    assert events.wait_for("LearnerRegistered.v1")["id"] == about_learner["id"]
    assert db.enrolments.find_one({"_id": "enrolment-7"})["outbox"] == []


def test_flush_leaves_other_workers_events_to_them(db, publisher):
    mine, theirs = event(), event()
    db.learners.insert_one({"_id": "learner-1", "outbox": [mine, theirs]})
    outbox = Outbox(db, publisher, ["learners"])

    assert outbox.flush([mine]) == 1

    assert db.learners.find_one({"_id": "learner-1"})["outbox"] == [theirs]
