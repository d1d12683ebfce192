"""Unit tests of the envelope and catalogue (no broker, no store)."""
from datetime import datetime, timezone

import pytest

from shared.events import CATALOGUE, InvalidEvent, lookup, make_envelope, read_envelope

APPROVED = {"plan_id": "plan-1", "year": 2026, "title": "Plan", "revision": 1, "approved_by": "mia",
            "approved_at": datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc),
            "items": [{"item_id": "item-1", "title": "Basics", "format": "online", "audience": "admins"}]}


def test_envelope_is_cloudevents_structured_json():
    envelope = make_envelope("PlanApproved.v1", "plan-1", APPROVED, correlation_id="req-1")

    assert envelope["specversion"] == "1.0"
    assert envelope["source"] == "/training/planning"
    assert envelope["type"] == "PlanApproved.v1"
    assert envelope["subject"] == "plan-1"
    assert envelope["datacontenttype"] == "application/json"
    assert envelope["correlationid"] == "req-1"
    assert envelope["time"].endswith("Z")
    assert envelope["data"]["approved_at"] == "2026-03-01T09:30:00+00:00"  # JSON-native values


def test_each_event_gets_its_own_id():
    first = make_envelope("PlanApproved.v1", "plan-1", APPROVED)
    second = make_envelope("PlanApproved.v1", "plan-1", APPROVED)
    assert first["id"] != second["id"]


def test_publishing_data_that_breaks_the_schema_is_refused():
    incomplete = {key: value for key, value in APPROVED.items() if key != "approved_by"}
    with pytest.raises(InvalidEvent, match="approved_by"):
        make_envelope("PlanApproved.v1", "plan-1", incomplete)


def test_unknown_event_type_is_refused():
    with pytest.raises(InvalidEvent, match="unknown event type"):
        make_envelope("PlanEaten.v1", "plan-1", {})


def test_reading_loads_data_and_ignores_fields_of_a_newer_minor():
    envelope = make_envelope("PlanApproved.v1", "plan-1", APPROVED)
    envelope["data"]["added_later"] = "tolerated"

    read, data = read_envelope(envelope)

    assert read["id"] == envelope["id"]
    assert data["approved_at"] == APPROVED["approved_at"]
    assert "added_later" not in data


@pytest.mark.parametrize("broken", [
    {"specversion": "0.3"},
    {"type": "planApproved"},
    {"source": "planning"},
    {"data": "not an object"},
])
def test_reading_rejects_malformed_envelopes(broken):
    envelope = dict(make_envelope("PlanApproved.v1", "plan-1", APPROVED), **broken)
    with pytest.raises(InvalidEvent):
        read_envelope(envelope)


def test_catalogue_names_follow_the_contract():
    lookup("PlanApproved.v1")  # loads the catalogue
    for type_name, event_type in CATALOGUE.items():
        assert type_name == f"{event_type.name}.v{event_type.version}"
        assert event_type.exchange == f"{event_type.source}.events"
        assert event_type.description
