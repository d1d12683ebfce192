"""Bookings through resources' real handlers and RPC, real broker and store: reservations, every
kind of conflict with alternatives, races for one resource, reschedules, cancellations, redeliveries."""
import pytest

from shared.errors import Conflict
from shared.events import make_envelope
from shared.publisher import EventPublisher
from shared.testing import deliver, rpc_to, run_together, wait_until

from services.resources.tests.conftest import SPECIALIST, SUPERVISOR, at, scheduled, session, trainer

RESCHEDULE = {"previous_starts_at": at(9), "previous_ends_at": at(12), "reason": "trainer request",
              "rescheduled_at": at(0, day=-30)}


def booked(as_, session_id):
    return as_(SUPERVISOR).get_booking(session_id)


def conflicts_of(booking):
    found = [(conflict["kind"], conflict["resource_id"], conflict["reason"]) for conflict in booking["conflicts"]]
    return sorted(found, key=lambda conflict: (conflict[0], conflict[2]))


def test_a_session_that_fits_gets_its_resources_reserved_and_announced(as_, container, resources, pool, subscriber):
    events = subscriber(resources["AMQP_URI"], "resources")
    deliver(container, "on_session_scheduled", "delivery",
            scheduled("s1", trainer_ids=["ada"], room_id=pool["room"], equipment_ids=pool["projectors"][:1]))

    envelope = events.wait_for("ResourcesReserved.v1")
    booking = booked(as_, "s1")
    assert envelope["subject"] == "s1"
    assert sorted((item["kind"], item["resource_id"]) for item in envelope["data"]["reserved"]) == [
        ("equipment", pool["projectors"][0]), ("room", pool["room"]), ("trainer", "ada")]
    assert {item["name"] for item in envelope["data"]["reserved"]} == {
        "Ada Byron", "Turing", "projector Epson X41 (PRJ-1)"}
    assert (booking["status"], booking["conflicts"], booking["sequence"]) == ("reserved", [], 0)
    assert as_(SUPERVISOR).list_bookings({"trainer_id": "ada"})["total"] == 1


def test_every_kind_of_conflict_is_reported_with_free_alternatives(as_, container, resources, pool, subscriber):
    staff = as_(SUPERVISOR)
    staff.register_trainer(trainer("bob", "Bob Kahn"))
    staff.add_leave("bob", {"starts_on": "2030-03-04", "ends_on": "2030-03-08", "reason": "holiday"})
    # Cy works afternoons in Berlin: 09:00-12:00 UTC is 10:00-13:00 there.
    staff.register_trainer(trainer("cy", "Cy Cray", working_hours={"timezone": "Europe/Berlin", "start": "13:00",
                                                                   "end": "18:00"}))
    maintained, retired = pool["projectors"]
    staff.open_maintenance(maintained, {"kind": "fault", "description": "lamp flickers"})
    staff.retire_equipment(retired, {"reason": "beyond repair", "method": "recycled", "disposed_on": "2030-01-10"})
    spare = staff.register_equipment({"asset_tag": "PRJ-3", "type": "projector", "model": "Epson X50",
                                      "purchase_date": "2029-01-01", "location": "HQ"})
    events = subscriber(resources["AMQP_URI"], "resources")

    deliver(container, "on_session_scheduled", "delivery",
            scheduled("first", trainer_ids=["ada"], room_id=pool["room"]),
            scheduled("double", trainer_ids=["ada"], room_id=pool["room"], start=11, end=13),
            scheduled("leave", trainer_ids=["bob"], venue="Customer site", day=1),
            scheduled("hours", trainer_ids=["cy"], venue="Customer site", day=1),
            scheduled("weekend", trainer_ids=["dan"], venue="Customer site", day=5),
            scheduled("tier", trainer_ids=["dan"], venue="Customer site", tier="advanced_features", day=2),
            scheduled("topic", trainer_ids=["dan"], venue="Customer site", topics=["Forecasting"], day=3),
            scheduled("small", trainer_ids=["dan"], room_id=pool["small_room"], capacity=12, day=4),
            scheduled("kit", trainer_ids=["dan"], venue="Customer site", equipment_ids=[maintained, retired], day=7),
            scheduled("unknown", trainer_ids=["nobody"], venue="Customer site", equipment_ids=["no-kit"], day=8),
            scheduled("missing", day=9))

    assert conflicts_of(booked(as_, "double")) == [("room", pool["room"], "double_booked"),
                                                   ("trainer", "ada", "double_booked")]
    assert conflicts_of(booked(as_, "leave")) == [("trainer", "bob", "on_leave")]
    assert conflicts_of(booked(as_, "hours")) == [("trainer", "cy", "outside_working_hours")]
    assert conflicts_of(booked(as_, "weekend")) == [("trainer", "dan", "outside_working_hours")]
    assert conflicts_of(booked(as_, "tier")) == [("trainer", "dan", "not_qualified")]
    assert conflicts_of(booked(as_, "topic")) == [("trainer", "dan", "not_qualified")]
    assert conflicts_of(booked(as_, "small")) == [("room", pool["small_room"], "too_small")]
    assert conflicts_of(booked(as_, "kit")) == [("equipment", maintained, "in_maintenance"),
                                                ("equipment", retired, "retired")]
    assert conflicts_of(booked(as_, "unknown")) == [("equipment", "no-kit", "unknown"),
                                                    ("trainer", "nobody", "unknown")]
    assert conflicts_of(booked(as_, "missing")) == [("room", None, "missing"), ("trainer", None, "missing")]

    double = events.wait_for("ResourceConflictDetected.v1", where=lambda envelope: envelope["subject"] == "double")
    alternatives = {(item["kind"], item["resource_id"]) for item in double["data"]["alternatives"]}
    # Dan is free and fits; Bob is on leave and Cy does not work mornings. The small room is too small.
    assert alternatives == {("trainer", "dan")}
    detail = {conflict["kind"]: conflict["detail"] for conflict in double["data"]["conflicts"]}
    assert detail["trainer"] == "Ada Byron is booked for session first at that time"
    kit = events.wait_for("ResourceConflictDetected.v1", where=lambda envelope: envelope["subject"] == "kit")
    assert [item["resource_id"] for item in kit["data"]["alternatives"]] == [spare["id"]]
    assert booked(as_, "double")["reserved"] == []
    assert booked(as_, "first")["status"] == "reserved"


def publish_concurrently(resources, envelopes):
    def publish(index):
        publisher = EventPublisher(resources["AMQP_URI"], "delivery")
        try:
            publisher.publish(envelopes[index])
        finally:
            publisher.close()

    run_together(len(envelopes), publish)


def test_sessions_racing_for_one_trainer_and_room_never_both_get_them(as_, resources, pool):
    sessions = [scheduled(f"race-{index}", trainer_ids=["ada"], room_id=pool["room"], start=9 + index % 2,
                          end=12 + index % 2) for index in range(6)]
    publish_concurrently(resources, sessions)

    decided = wait_until(lambda: (page := as_(SUPERVISOR).list_bookings({"limit": 10}))["total"] == 6
                         and all(item["status"] != "pending" for item in page["items"]) and page["items"],
                         message="six decided bookings")
    winners = [booking for booking in decided if booking["status"] == "reserved"]
    assert len(winners) == 1
    for loser in (booking for booking in decided if booking is not winners[0]):
        # Resources are taken room first: every loser was refused the room the winner holds (it may
        # also have seen the trainer taken, if the winner had got that far), and holds nothing.
        assert ("room", pool["room"], "double_booked") in conflicts_of(loser)
        assert {reason for _, _, reason in conflicts_of(loser)} == {"double_booked"}
        assert all(winners[0]["session_id"] in conflict["detail"] for conflict in loser["conflicts"])
        assert loser["reserved"] == []


def test_concurrent_rechecks_of_two_sessions_give_a_freed_trainer_to_one(as_, container, pool):
    deliver(container, "on_session_scheduled", "delivery", *(
        scheduled(session_id, trainer_ids=["ada"], format="online", start=start)
        for session_id, start in (("holder", 9), ("waiting-1", 9), ("waiting-2", 10))))
    cancelled = make_envelope("SessionCancelled.v1", "holder", {
        "session_id": "holder", "title": "Reporting basics", "starts_at": at(9), "reason": "too few learners",
        "learner_ids": [], "cancelled_at": at(0, day=-1)})
    deliver(container, "on_session_cancelled", "delivery", cancelled)

    def recheck(index):
        with rpc_to(container, SPECIALIST) as resources_rpc:
            return resources_rpc.recheck_booking(f"waiting-{index + 1}")["status"]

    assert sorted(run_together(2, recheck)) == ["conflict", "reserved"]
    assert booked(as_, "holder")["status"] == "cancelled"


def test_a_rescheduled_session_moves_its_hold_and_older_news_changes_nothing(as_, container, pool, store, resources):
    original = scheduled("s1", trainer_ids=["ada"], room_id=pool["room"])
    deliver(container, "on_session_scheduled", "delivery", original)
    moved = make_envelope("SessionRescheduled.v1", "s1", dict(
        session("s1", start=13, end=16, trainer_ids=["ada"], room_id=pool["room"]), sequence=1, **RESCHEDULE))
    deliver(container, "on_session_rescheduled", "delivery", moved)
    # The morning is free again: another session gets Ada and the room then.
    deliver(container, "on_session_scheduled", "delivery",
            scheduled("s2", trainer_ids=["ada"], room_id=pool["room"]),
            scheduled("s1", trainer_ids=["ada"], room_id=pool["room"]))  # late news of s1's first schedule

    first, second = booked(as_, "s1"), booked(as_, "s2")
    assert (first["status"], first["sequence"], first["starts_at"]) == ("reserved", 1, "2030-03-04T13:00:00+00:00")
    assert second["status"] == "reserved"
    assert [entry["action"] for entry in first["history"]] == ["scheduled", "decided", "rescheduled", "decided"]
    calendar = store(resources, "resources")["calendars"].find_one({"_id": "trainer:ada"})
    assert sorted((entry["session_id"], entry["starts_at"].hour) for entry in calendar["entries"]) == [
        ("s1", 13), ("s2", 9)]


def test_a_cancelled_session_releases_everything_and_later_news_of_it_changes_nothing(as_, container, pool):
    deliver(container, "on_session_scheduled", "delivery", scheduled("s1", trainer_ids=["ada"], room_id=pool["room"]))
    cancel = {"title": "Reporting basics", "starts_at": at(9), "reason": "no demand", "learner_ids": [],
              "cancelled_at": at(0, day=-1)}
    # s1 is cancelled once it was booked; s9's cancellation arrives before its schedule.
    deliver(container, "on_session_cancelled", "delivery",
            make_envelope("SessionCancelled.v1", "s1", dict(cancel, session_id="s1")),
            make_envelope("SessionCancelled.v1", "s9", dict(cancel, session_id="s9")))
    deliver(container, "on_session_scheduled", "delivery",
            scheduled("s9", trainer_ids=["ada"], room_id=pool["room"]),
            scheduled("s2", trainer_ids=["ada"], room_id=pool["room"]))

    assert booked(as_, "s1")["status"] == "cancelled"
    assert (booked(as_, "s9")["status"], booked(as_, "s9")["reserved"]) == ("cancelled", [])
    assert booked(as_, "s2")["status"] == "reserved"
    with pytest.raises(Conflict):
        as_(SPECIALIST).recheck_booking("s1")


def test_a_redelivered_schedule_is_booked_and_announced_once(as_, container, resources, pool, subscriber):
    events = subscriber(resources["AMQP_URI"], "resources")
    envelope = scheduled("s1", trainer_ids=["ada"], format="online")
    deliver(container, "on_session_scheduled", "delivery", envelope, envelope)

    announced = events.collect(2, where=lambda event: event["subject"] == "s1")
    assert [event["type"] for event in announced] == ["ResourcesReserved.v1"]
    assert [entry["action"] for entry in booked(as_, "s1")["history"]] == ["scheduled", "decided"]


def test_leave_recorded_after_booking_turns_the_reservation_into_a_conflict(as_, container, resources, pool,
                                                                           subscriber):
    deliver(container, "on_session_scheduled", "delivery", scheduled("s1", trainer_ids=["ada"], room_id=pool["room"]))
    events = subscriber(resources["AMQP_URI"], "resources")
    as_({"id": "ada", "roles": ["trainer"]}).add_leave("ada", {"starts_on": "2030-03-04", "ends_on": "2030-03-04"})

    envelope = events.wait_for("ResourceConflictDetected.v1")
    assert [(item["kind"], item["reason"]) for item in envelope["data"]["conflicts"]] == [("trainer", "on_leave")]
    assert [item["resource_id"] for item in envelope["data"]["alternatives"]] == ["dan"]
    booking = booked(as_, "s1")
    # A session in conflict holds nothing: the room is free for others until the trainer is sorted out.
    assert (booking["status"], booking["reserved"]) == ("conflict", [])
    deliver(container, "on_session_scheduled", "delivery", scheduled("s2", trainer_ids=["dan"], room_id=pool["room"]))
    assert booked(as_, "s2")["status"] == "reserved"


def test_calendar_entries_long_past_are_pruned_and_their_bookings_kept(as_, container, pool, store, resources):
    from datetime import timedelta

    from services.resources import calendars

    deliver(container, "on_session_scheduled", "delivery",
            scheduled("s1", trainer_ids=["ada"], room_id=pool["room"]),
            scheduled("s2", day=1, trainer_ids=["ada"], room_id=pool["room"]))
    db = store(resources, "resources")
    calendars.prune(db, at(12) + timedelta(minutes=1))  # s1 ended at 12:00 on the first day, s2 is a day later

    for calendar_id in ("trainer:ada", f"room:{pool['room']}"):
        assert [entry["session_id"] for entry in db["calendars"].find_one({"_id": calendar_id})["entries"]] == ["s2"]
    assert booked(as_, "s1")["status"] == "reserved"
