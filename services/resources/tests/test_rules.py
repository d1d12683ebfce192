"""Unit tests of resources' pure rules: availability, scorecards, periods, file checks, input."""
import base64
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.errors import InvalidInput, validated

from services.resources.availability import (equipment_problems, missing, room_problems, trainer_problems,
                                             within_working_hours)
from services.resources.contract import (MaterialCreateSchema, MaterialUpdateSchema, RoomUpdateSchema,
                                         TrainerCreateSchema, TrainerUpdateSchema)
from services.resources.material_files import checked_content
from services.resources.materials import catalogue_number
from services.resources.scorecards import period_bounds, suggested_outcome, summarise

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
HOURS = {"timezone": "Europe/Berlin", "weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "17:00"}
TRAINER = {"_id": "ada", "name": "Ada", "status": "active", "topics": ["Reporting"], "products": ["Analytics"],
           "tiers": ["basic_operation"], "working_hours": HOURS, "leave": []}


def session(start, end, **fields):
    return dict({"starts_at": start, "ends_at": end, "tier": "basic_operation", "topics": ["reporting"],
                 "capacity": 10, "format": "online", "trainer_ids": ["ada"]}, **fields)


def reasons(problems):
    return [reason for reason, _ in problems]


# 2030-03-04 is a Monday; Berlin is UTC+1 in March and UTC+2 from 31 March.
@pytest.mark.parametrize("start, end, fits", [
    (datetime(2030, 3, 4, 8, tzinfo=UTC), datetime(2030, 3, 4, 16, tzinfo=UTC), True),  # 09:00-17:00 local
    (datetime(2030, 3, 4, 7, tzinfo=UTC), datetime(2030, 3, 4, 9, tzinfo=UTC), False),  # starts 08:00 local
    (datetime(2030, 3, 4, 15, tzinfo=UTC), datetime(2030, 3, 4, 16, 30, tzinfo=UTC), False),  # ends 17:30
    (datetime(2030, 4, 1, 7, tzinfo=UTC), datetime(2030, 4, 1, 15, tzinfo=UTC), True),  # summer time: 09-17
    (datetime(2030, 3, 9, 9, tzinfo=UTC), datetime(2030, 3, 9, 11, tzinfo=UTC), False),  # Saturday
    (datetime(2030, 3, 4, 8, tzinfo=UTC), datetime(2030, 3, 5, 16, tzinfo=UTC), False),  # through the night
])
def test_working_hours_are_checked_in_the_trainers_time_zone(start, end, fits):
    assert within_working_hours(start.astimezone(BERLIN), end.astimezone(BERLIN), HOURS) is fits
    assert (trainer_problems(TRAINER, session(start, end)) == []) is fits


def test_a_trainer_fits_a_session_they_are_qualified_and_free_for():
    start, end = datetime(2030, 3, 4, 8, tzinfo=UTC), datetime(2030, 3, 4, 11, tzinfo=UTC)
    assert trainer_problems(TRAINER, session(start, end)) == []
    assert reasons(trainer_problems(TRAINER, session(start, end, tier="customised"))) == ["not_qualified"]
    assert reasons(trainer_problems(TRAINER, session(start, end, topics=["analytics", "Dashboards"]))) == [
        "not_qualified"]
    on_leave = dict(TRAINER, leave=[{"starts_on": "2030-03-01", "ends_on": "2030-03-04"}])
    assert reasons(trainer_problems(on_leave, session(start, end))) == ["on_leave"]
    back = dict(TRAINER, leave=[{"starts_on": "2030-03-05", "ends_on": "2030-03-08"}])
    assert trainer_problems(back, session(start, end)) == []
    assert reasons(trainer_problems(dict(TRAINER, status="removed"), session(start, end))) == ["retired"]
    assert reasons(trainer_problems(None, session(start, end))) == ["unknown"]


def test_rooms_and_equipment_fit_or_say_why_not():
    room = {"name": "Turing", "capacity": 10, "status": "open"}
    assert room_problems(room, {"capacity": 10}) == []
    assert reasons(room_problems(room, {"capacity": 11})) == ["too_small"]
    assert reasons(room_problems(dict(room, status="closed"), {"capacity": 1})) == ["retired"]
    item = {"name": "Projector", "status": "available"}
    assert equipment_problems(dict(item, status="in_use"), {}) == []  # out now, back by then: the calendar decides
    assert reasons(equipment_problems(dict(item, status="maintenance"), {})) == ["in_maintenance"]
    assert reasons(equipment_problems(dict(item, status="retired"), {})) == ["retired"]
    assert [kind for kind, _ in missing({"trainer_ids": [], "format": "classroom"})] == ["trainer", "room"]
    assert missing({"trainer_ids": ["ada"], "format": "classroom", "venue": "Customer HQ"}) == []


def test_a_scorecard_counts_learners_by_their_latest_result():
    at = datetime(2030, 3, 4, tzinfo=UTC)
    facts = [
        {"kind": "session", "hours": 3.0, "booked": True, "as_planned": ["ada"], "at": at},
        {"kind": "session", "hours": 2.0, "booked": True, "as_planned": [], "at": at},
        {"kind": "session", "hours": 1.5, "booked": False, "as_planned": [], "at": at},
        {"kind": "rating", "score": 4.0, "at": at}, {"kind": "rating", "score": 3.0, "at": at},
        {"kind": "result", "session_id": "s1", "learner_id": "lea", "passed": False, "at": at},
        {"kind": "result", "session_id": "s1", "learner_id": "lea", "passed": True, "at": at.replace(hour=5)},
    ]
    card = summarise("ada", "2030", facts)
    assert (card["sessions_delivered"], card["hours_delivered"], card["on_time_rate"]) == (3, 6.5, 0.5)
    assert (card["average_rating"], card["learners_graded"], card["pass_rate"]) == (3.5, 1, 1.0)
    assert summarise("ada", "2030", [])["suggested_outcome"] == "keep"


@pytest.mark.parametrize("figures, outcome", [
    ({"on_time_rate": 1.0, "average_rating": 4.8, "pass_rate": 0.9, "sessions_delivered": 4, "ratings": 20}, "reward"),
    ({"on_time_rate": 1.0, "average_rating": 4.8, "pass_rate": 0.9, "sessions_delivered": 2, "ratings": 20}, "keep"),
    ({"on_time_rate": 0.7, "average_rating": 4.8, "pass_rate": 0.9, "sessions_delivered": 4, "ratings": 20},
     "development_plan"),
    ({"on_time_rate": 1.0, "average_rating": 2.0, "pass_rate": 0.9, "sessions_delivered": 4, "ratings": 6}, "remove"),
    ({"on_time_rate": 1.0, "average_rating": 2.0, "pass_rate": 0.9, "sessions_delivered": 4, "ratings": 2},
     "development_plan"),
    ({"on_time_rate": None, "average_rating": None, "pass_rate": 0.4, "sessions_delivered": 1, "ratings": 0}, "remove"),
])
def test_the_suggested_outcome_follows_the_figures(figures, outcome):
    assert suggested_outcome(figures) == outcome


@pytest.mark.parametrize("period, start, end", [
    ("2030", (2030, 1), (2031, 1)), ("2030-H2", (2030, 7), (2031, 1)), ("2030-Q1", (2030, 1), (2030, 4)),
    ("2030-Q4", (2030, 10), (2031, 1)), ("2030-H1", (2030, 1), (2030, 7)),
])
def test_periods_are_half_open_utc_ranges(period, start, end):
    assert period_bounds(period) == (datetime(*start, 1, tzinfo=UTC), datetime(*end, 1, tzinfo=UTC))


def test_catalogue_numbers_are_year_and_a_four_digit_sequence_that_widens():
    assert [catalogue_number(2026, 1), catalogue_number(2027, 12345)] == ["MAT-2026-0001", "MAT-2027-12345"]


def encoded(data, content_type, filename="f"):
    return {"filename": filename, "content_type": content_type, "content_base64": base64.b64encode(data).decode()}


def test_a_file_must_be_what_it_claims_to_be_and_not_too_big():
    assert checked_content(encoded(b"%PDF-1.7 ...", "application/pdf"), 100) == b"%PDF-1.7 ..."
    assert checked_content(encoded("Grüße".encode(), "text/plain"), 100) == "Grüße".encode()
    for bad, content_type, limit in ((b"%PDF-1.7", "image/png", 100), (b"\xff\xfe\xfa", "text/plain", 100),
                                     (b"%PDF-1.7" + b" " * 100, "application/pdf", 100)):
        with pytest.raises(InvalidInput):
            checked_content(encoded(bad, content_type), limit)


def test_unknown_fields_and_bad_values_are_refused_with_field_messages():
    with pytest.raises(InvalidInput) as refused:
        validated(MaterialCreateSchema(), {"title": "", "topics": [], "format": "hologram", "$where": "1"})
    assert set(refused.value.details["fields"]) == {"title", "topics", "format", "$where"}
    with pytest.raises(InvalidInput) as refused:
        validated(TrainerCreateSchema(), {"trainer_id": "ada", "name": "Ada", "email": "ada@example.com",
                                          "topics": ["x"], "languages": ["en"], "tiers": ["expert"],
                                          "working_hours": {"timezone": "Mars/Base", "start": "18:00", "end": "09:00"}})
    assert set(refused.value.details["fields"]) == {"tiers", "working_hours"}


def test_an_update_loads_only_the_fields_it_names():
    assert validated(MaterialUpdateSchema(), {"title": "New title"}) == {"title": "New title"}
    assert validated(TrainerUpdateSchema(), {"languages": ["en", "de"]}) == {"languages": ["en", "de"]}
    assert validated(RoomUpdateSchema(), {}) == {}
    with pytest.raises(InvalidInput) as refused:
        validated(MaterialUpdateSchema(), {"title": "", "format": "hologram", "version": 3})
    assert set(refused.value.details["fields"]) == {"title", "format", "version"}
