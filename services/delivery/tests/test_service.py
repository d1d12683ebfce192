"""Interface tests of delivery through its real entrypoints, real broker and real store."""
from datetime import datetime, timezone

import pytest

from shared.errors import InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver, rpc_to

from services.delivery.service import DeliveryService

APPROVED = {"plan_id": "plan-7", "year": 2026, "title": "Customer plan", "revision": 2, "approved_by": "mia",
            "approved_at": datetime(2026, 2, 1, 10, tzinfo=timezone.utc),
            "items": [{"item_id": "item-1", "title": "Basics", "format": "online", "audience": "admins",
                       "quarter": 1, "capacity": 30}]}
ACTOR = {"id": "sue", "roles": ["supervisor"]}


@pytest.fixture
def delivery(running_service):
    return running_service(DeliveryService)


def test_plan_approved_event_is_recorded_once_even_if_delivered_twice(delivery):
    envelope = make_envelope("PlanApproved.v1", "plan-7", APPROVED)

    deliver(delivery, "on_plan_approved", "planning", envelope, envelope)

    with rpc_to(delivery) as proxy:
        plans = proxy.list_approved_plans({})
        assert plans["total"] == 1
        plan = proxy.get_approved_plan("plan-7")
    assert plan["revision"] == 2
    assert plan["items"][0]["title"] == "Basics"


def test_schedule_session_publishes_session_scheduled(delivery, subscriber):
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    with rpc_to(delivery) as proxy:
        session = proxy.schedule_session({
            "title": "Basics, cohort 1", "format": "online", "capacity": 30,
            "starts_at": "2026-03-02T09:00:00+01:00", "ends_at": "2026-03-02T12:00:00+01:00"}, ACTOR)

    envelope = events.wait_for("SessionScheduled.v1")
    assert envelope["subject"] == session["id"]
    assert envelope["data"]["starts_at"] == "2026-03-02T08:00:00+00:00"


def test_bad_session_is_refused_and_nothing_is_written(delivery):
    with rpc_to(delivery) as proxy:
        with pytest.raises(InvalidInput) as refused:
            proxy.schedule_session({"title": "Backwards", "format": "online", "capacity": 5,
                                    "starts_at": "2026-03-02T12:00:00Z", "ends_at": "2026-03-02T09:00:00Z"}, ACTOR)
        assert "ends_at" in refused.value.details["fields"]
        assert proxy.list_sessions({})["total"] == 0
        with pytest.raises(NotFound):
            proxy.get_session("session-missing")
