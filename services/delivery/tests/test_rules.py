"""Unit tests of delivery's pure rules (no broker, no store): checklist by format, go/no-go,
calendar invitations and feeds, messages, CSV parsing, natural keys."""
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from shared.errors import InvalidInput

from services.delivery import checklist
from services.delivery.enrolment import parse_learner_csv
from services.delivery.invitations import feed, invitation
from services.delivery.messages import compose
from services.delivery.plan_schedule import plan_session_id
from services.delivery.sessions import go_no_go, manages

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def session(**overrides):
    doc = {"_id": "session-1", "title": "Basics", "format": "online", "status": "scheduled", "sequence": 0,
           "starts_at": NOW + timedelta(days=10), "ends_at": NOW + timedelta(days=10, hours=2),
           "timezone": "Europe/Berlin", "venue": None, "online_url": "https://meet.example.com/basics",
           "capacity": 20, "min_participants": 5, "seats_taken": 0, "trainer_ids": ["tom"], "cancellation": None}
    doc.update(overrides)
    doc.setdefault("checklist", checklist.new_checklist(doc["format"]))
    return doc


@pytest.mark.parametrize("format, expected", [
    ("online", ["materials", "exercises", "participants_confirmed", "reminders_sent", "platform_test"]),
    ("classroom", ["venue", "equipment", "materials", "exercises", "participants_confirmed", "reminders_sent"]),
    ("on_site_demo", ["venue", "equipment", "materials", "participants_confirmed", "reminders_sent"]),
])
def test_checklist_follows_the_format(format, expected):
    assert checklist.items_for(format) == expected


def test_a_reschedule_undoes_what_depends_on_what_changed():
    classroom = session(format="classroom")
    assert set(checklist.reset_for(classroom, {"starts_at": NOW})) == {
        "checklist.venue", "checklist.equipment", "checklist.reminders_sent"}
    assert checklist.reset_for(session(), {"online_url": "https://other"}) == {
        "checklist.platform_test": checklist.unticked()}
    assert checklist.reset_for(classroom, {"capacity": 30}) == {}


@pytest.mark.parametrize("days_before_start, seats, status, expected", [
    (10, 0, "scheduled", "not_due"),   # the decision is 3 days before the start
    (2, 4, "scheduled", "at_risk"),    # one short of five
    (2, 5, "ready", "go"),
    (2, 0, "cancelled", "go"),         # nothing to decide any more
])
def test_go_no_go(days_before_start, seats, status, expected):
    doc = session(starts_at=NOW + timedelta(days=days_before_start), seats_taken=seats, status=status)
    flag = go_no_go(doc, NOW, days=3)
    assert flag["status"] == expected
    assert flag["decide_by"] == doc["starts_at"] - timedelta(days=3)


def test_only_the_sessions_trainers_and_managing_staff_manage_it():
    doc = session()
    assert manages(doc, {"id": "tom", "roles": ["trainer"]})
    assert not manages(doc, {"id": "tia", "roles": ["trainer"]})
    assert manages(doc, {"id": "sue", "roles": ["supervisor"]})
    assert not manages(doc, {"id": "tom", "roles": ["learner"]})


def test_invitation_and_its_cancellation_are_one_event_with_a_rising_sequence():
    attendee = {"email": "ada@example.com", "name": "Ada Lovelace"}
    request = Calendar.from_ical(invitation(session(), NOW, attendee, "training@example.com"))
    cancel = Calendar.from_ical(invitation(session(sequence=2, status="cancelled",
                                                   cancellation={"reason": "ill"}), NOW, attendee,
                                           "training@example.com", cancel=True))
    first, last = request.walk("VEVENT")[0], cancel.walk("VEVENT")[0]
    assert (str(request["METHOD"]), str(cancel["METHOD"])) == ("REQUEST", "CANCEL")
    assert str(first["UID"]) == str(last["UID"]) == "session-1@training-platform"
    assert (int(first["SEQUENCE"]), int(last["SEQUENCE"])) == (0, 2)
    assert (str(first["STATUS"]), str(last["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert str(first["ATTENDEE"]) == "mailto:ada@example.com" and first["ATTENDEE"].params["CN"] == "Ada Lovelace"
    assert first.decoded("DTSTART") == NOW + timedelta(days=10)


def test_feed_marks_cancelled_entries():
    text = feed([(session(), False), (session(_id="session-2"), True)], "My sessions", NOW)
    events = Calendar.from_ical(text).walk("VEVENT")
    assert [str(event["STATUS"]) for event in events] == ["CONFIRMED", "CANCELLED"]


def test_messages_speak_local_time_and_carry_the_invitation_by_email():
    contact = {"learner_id": "ada", "name": "Ada", "email": "ada@example.com", "phone": "+44 20 7946 0000"}
    message = compose(session(sequence=3), "changed", {"_id": "enrolment-1"}, contact, "training@example.com",
                      NOW, reason="room clash")
    assert message.subject == "Changed: Basics"
    assert "Thursday 2026-03-12 09:00 to 11:00 (Europe/Berlin)" in message.text and "Why: room clash" in message.text
    assert message.recipients == {"email": ["ada@example.com"], "sms": ["+44 20 7946 0000"]}
    name, mime_type, ics = message.attachments[0]
    assert (name, mime_type) == ("invitation.ics", "text/calendar; method=REQUEST")
    assert "SEQUENCE:3" in ics
    without_contact = compose(session(), "reminder", {"_id": "enrolment-1"}, None, "training@example.com", NOW)
    assert without_contact.attachments == () and without_contact.recipients == {"email": [], "sms": []}


def test_learner_csv_rows_are_numbered_as_in_a_spreadsheet():
    assert parse_learner_csv("\ufefflearner_id\nada\n bob \n") == [(2, "ada"), (3, "bob")]
    with pytest.raises(InvalidInput) as blank:
        parse_learner_csv("learner_id,name\nada,Ada\n,Nobody\n")
    assert blank.value.details["rows"] == {"3": {"learner_id": ["required, at most 200 characters"]}}
    with pytest.raises(InvalidInput):
        parse_learner_csv("name\nAda\n")
    with pytest.raises(InvalidInput):
        parse_learner_csv("learner_id\n")


def test_plan_sessions_have_natural_ids():
    assert plan_session_id("plan-1", "item-1", 1) == plan_session_id("plan-1", "item-1", 1)
    assert plan_session_id("plan-1", "item-1", 1) != plan_session_id("plan-1", "item-1", 2)
