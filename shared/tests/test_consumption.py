"""Reliable consumption against a real store: applied once, retried, parked, invalid parked."""
from datetime import datetime, timezone

import pytest

from shared.consumption import APPLIED, DUPLICATE, PARKED, EventLedger, consume
from shared.events import make_envelope

REGISTERED = {"learner_id": "learner-1", "organisation": "Acme",
              "registered_at": datetime(2026, 1, 5, tzinfo=timezone.utc)}


@pytest.fixture
def db(mongo_client, mongo_uri):
    uri = mongo_uri("ledger")
    database = mongo_client[uri.rsplit("/", 1)[1]]
    EventLedger.ensure_indexes(database)
    return database


def run(ledger, body, apply, attempts=3):
    return consume(ledger, "tests.on_registered", "evt-queue", body, apply, attempts=attempts,
                   backoff_seconds=0, sleep=lambda seconds: None)


def test_an_event_is_applied_once_however_often_it_arrives(db):
    ledger, applied = EventLedger(db), []
    envelope = make_envelope("LearnerRegistered.v1", "learner-1", REGISTERED)

    outcomes = [run(ledger, envelope, lambda env, data: applied.append(data)) for _ in range(3)]

    assert outcomes == [APPLIED, DUPLICATE, DUPLICATE]
    assert len(applied) == 1
    assert applied[0]["registered_at"] == REGISTERED["registered_at"]  # data arrives loaded


def test_transient_failures_are_retried_then_applied(db):
    ledger, calls = EventLedger(db), []

    def flaky(envelope, data):
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("store hiccup")

    outcome = run(ledger, make_envelope("LearnerRegistered.v1", "learner-1", REGISTERED), flaky)

    assert outcome == APPLIED
    assert len(calls) == 3
    assert ledger.parked_count() == 0


def test_a_handler_that_keeps_failing_parks_the_event_with_its_error(db):
    ledger = EventLedger(db)
    envelope = make_envelope("LearnerRegistered.v1", "learner-1", REGISTERED)

    def broken(envelope, data):
        raise ValueError("no such organisation")

    assert run(ledger, envelope, broken, attempts=4) == PARKED

    total, parked = ledger.list()
    assert total == 1
    assert parked[0]["body"] == envelope
    assert parked[0]["attempts"] == 4
    assert parked[0]["reason"] == "handler_failed"
    assert "no such organisation" in parked[0]["error"]
    assert parked[0]["queue"] == "evt-queue"
    # Parked is not applied: a redelivery after a fix is still applied.
    assert run(ledger, envelope, lambda env, data: None) == APPLIED


def test_an_invalid_event_is_parked_without_retries(db):
    ledger, calls = EventLedger(db), []
    envelope = make_envelope("LearnerRegistered.v1", "learner-1", REGISTERED)
    envelope["data"].pop("organisation")

    assert run(ledger, envelope, lambda env, data: calls.append(1)) == PARKED

    assert calls == []
    assert ledger.list()[1][0]["reason"] == "invalid"
