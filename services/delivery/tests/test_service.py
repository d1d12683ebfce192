"""Interface tests of delivery through its real entrypoints, real broker and real store."""
from datetime import datetime, timezone

import pytest

from shared.errors import InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver

from services.delivery.service import DeliveryService

APPROVED = {"plan_id": "plan-7", "year": 2026, "title": "Customer plan", "revision": 2, "approved_by": "mia",
            "approved_at": datetime(2026, 2, 1, 10, tzinfo=timezone.utc),
            "items": [{"item_id": "item-1", "title": "Basics", "format": "online", "audience": "admins",
                       "quarter": 1, "capacity": 30}]}
ACTOR = {"id": "sue", "roles": ["supervisor"]}


@pytest.fixture
def delivery(running_service):
    return running_service(DeliveryService)


@pytest.fixture
def as_(delivery, rpc_as):
    return lambda caller: rpc_as(delivery, caller)


def test_plan_approved_event_is_recorded_once_even_if_delivered_twice(as_, delivery):
    envelope = make_envelope("PlanApproved.v1", "plan-7", APPROVED)

    deliver(delivery, "on_plan_approved", "planning", envelope, envelope)

    plans = as_(ACTOR).list_approved_plans({})
    assert plans["total"] == 1
    plan = as_(ACTOR).get_approved_plan("plan-7")
    assert plan["revision"] == 2
    assert plan["items"][0]["title"] == "Basics"


def test_schedule_session_publishes_session_scheduled(as_, delivery, subscriber):
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    session = as_(ACTOR).schedule_session({
        "title": "Basics, cohort 1", "format": "online", "capacity": 30,
        "starts_at": "2026-03-02T09:00:00+01:00", "ends_at": "2026-03-02T12:00:00+01:00"})

    envelope = events.wait_for("SessionScheduled.v1")
    assert envelope["subject"] == session["id"]
    assert envelope["data"]["starts_at"] == "2026-03-02T08:00:00+00:00"


def test_bad_session_is_refused_and_nothing_is_written(as_, delivery):
    with pytest.raises(InvalidInput) as refused:
        as_(ACTOR).schedule_session({"title": "Backwards", "format": "online", "capacity": 5,
                                "starts_at": "2026-03-02T12:00:00Z", "ends_at": "2026-03-02T09:00:00Z"})
    assert "ends_at" in refused.value.details["fields"]
    assert as_(ACTOR).list_sessions({})["total"] == 0
    with pytest.raises(NotFound):
        as_(ACTOR).get_session("session-missing")


def test_an_older_approval_redriven_later_does_not_replace_a_newer_revision(as_, delivery):
    newer = make_envelope("PlanApproved.v1", "plan-7", dict(APPROVED, revision=3, title="Customer plan, revised"))
    older = make_envelope("PlanApproved.v1", "plan-7", APPROVED)

    deliver(delivery, "on_plan_approved", "planning", newer, older)

    plan = as_(ACTOR).get_approved_plan("plan-7")
    assert (plan["revision"], plan["title"]) == (3, "Customer plan, revised")
