"""Interface tests of delivery through its real entrypoints, real broker and real store."""
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope, utc_now
from shared.testing import deliver, free_port, rpc_to, run_together

from services.delivery.plan_schedule import plan_session_id
from services.delivery.service import DeliveryService
from services.delivery.store import ENROLMENTS, SESSIONS

APPROVED = {"plan_id": "plan-7", "year": 2026, "title": "Customer plan", "revision": 2, "approved_by": "mia",
            "approved_at": datetime(2026, 2, 1, 10, tzinfo=timezone.utc),
            "items": [{"item_id": "item-1", "title": "Basics", "format": "online", "audience": "admins",
                       "quarter": 1, "capacity": 30}]}
SUPERVISOR = {"id": "sue", "roles": ["supervisor"]}
TRAINER = {"id": "tom", "roles": ["trainer"]}
OTHER_TRAINER = {"id": "tia", "roles": ["trainer"]}
START = (utc_now() + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)


def learner(name):
    return {"id": name, "roles": ["learner"]}


def session_body(**overrides):
    return dict({"title": "Basics, cohort 1", "format": "classroom", "capacity": 20, "min_participants": 1,
                 "starts_at": START.isoformat(), "ends_at": (START + timedelta(hours=3)).isoformat(),
                 "timezone": "Europe/Berlin", "venue": "Room 4", "room_id": "room-4", "trainer_ids": ["tom"]},
                **overrides)


def published(revision, items):
    return {"plan_id": "plan-9", "year": START.year, "title": "Plan", "revision": revision, "published_by": "sue",
            "published_at": utc_now(), "channels": ["notice"], "items": items}


def plan_item(item_id, *starts, capacity=12, format="online"):
    return {"item_id": item_id, "title": f"Course {item_id}", "format": format, "audience": "admins",
            "topics": ["Basics"], "capacity": capacity, "schedule": {
                "timezone": "Europe/Berlin", "duration_minutes": 120,
                "sessions": [{"starts_at": start, "ends_at": start + timedelta(hours=2)} for start in starts]}}


@pytest.fixture
def delivery(running_service):
    return running_service(DeliveryService)


@pytest.fixture
def as_(delivery, rpc_as):
    return lambda caller: rpc_as(delivery, caller)


@pytest.fixture
def db(delivery, store):
    return store(delivery.config, "delivery")


def register(delivery, *learner_ids):
    deliver(delivery, "on_learner_registered", "archive", *[make_envelope("LearnerRegistered.v1", learner_id, {
        "learner_id": learner_id, "organisation": "Engines Ltd", "registered_at": utc_now()})
        for learner_id in learner_ids])


def session_in_progress(as_, **overrides):
    session = as_(SUPERVISOR).schedule_session(session_body(**overrides))
    as_(SUPERVISOR).mark_ready(session["id"], {"override_reason": "prepared off-line"})
    return session


# ---- plans and sessions ------------------------------------------------------------------------

def test_plan_approved_event_is_recorded_once_even_if_delivered_twice(as_, delivery):
    envelope = make_envelope("PlanApproved.v1", "plan-7", APPROVED)

    deliver(delivery, "on_plan_approved", "planning", envelope, envelope)

    assert as_(SUPERVISOR).list_approved_plans({})["total"] == 1
    plan = as_(SUPERVISOR).get_approved_plan("plan-7")
    assert (plan["revision"], plan["items"][0]["title"]) == (2, "Basics")


def test_an_older_approval_redriven_later_does_not_replace_a_newer_revision(as_, delivery):
    newer = make_envelope("PlanApproved.v1", "plan-7", dict(APPROVED, revision=3, title="Customer plan, revised"))
    older = make_envelope("PlanApproved.v1", "plan-7", APPROVED)

    deliver(delivery, "on_plan_approved", "planning", newer, older)

    plan = as_(SUPERVISOR).get_approved_plan("plan-7")
    assert (plan["revision"], plan["title"]) == (3, "Customer plan, revised")


def test_schedule_session_by_hand_publishes_session_scheduled(as_, delivery, subscriber):
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    session = as_(SUPERVISOR).schedule_session(session_body(starts_at="2026-12-02T09:00:00+01:00",
                                                            ends_at="2026-12-02T12:00:00+01:00"))

    envelope = events.wait_for("SessionScheduled.v1")
    assert envelope["subject"] == session["id"]
    assert envelope["data"]["starts_at"] == "2026-12-02T08:00:00+00:00"
    assert (envelope["data"]["trainer_ids"], envelope["data"]["room_id"]) == (["tom"], "room-4")
    assert [entry["item"] for entry in session["checklist"]] == [
        "venue", "equipment", "materials", "exercises", "participants_confirmed", "reminders_sent"]
    assert (session["status"], session["sequence"], session["seats_left"]) == ("scheduled", 0, 20)


def test_bad_session_is_refused_and_nothing_is_written(as_, delivery):
    with pytest.raises(InvalidInput) as refused:
        as_(SUPERVISOR).schedule_session(session_body(starts_at="2026-03-02T12:00:00Z", ends_at="2026-03-02T09:00:00Z"))
    assert "ends_at" in refused.value.details["fields"]
    with pytest.raises(InvalidInput) as too_many:
        as_(SUPERVISOR).schedule_session(session_body(min_participants=30))
    assert "min_participants" in too_many.value.details["fields"]
    with pytest.raises(InvalidInput) as nowhere:
        as_(SUPERVISOR).schedule_session(session_body(timezone="Mars/Olympus"))
    assert "timezone" in nowhere.value.details["fields"]
    with pytest.raises(Forbidden):
        as_(learner("ada")).schedule_session(session_body())
    assert as_(SUPERVISOR).list_sessions({})["total"] == 0
    with pytest.raises(NotFound):
        as_(SUPERVISOR).get_session("session-missing")


def test_published_plan_becomes_sessions_once_and_revisions_move_or_cancel_them(as_, delivery, subscriber):
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    first, second = START, START + timedelta(days=7)
    revision_1 = make_envelope("PlanPublished.v1", "plan-9", published(1, [plan_item("a", first, second),
                                                                          plan_item("b", first)]))
    deliver(delivery, "on_plan_published", "planning", revision_1, revision_1)

    sessions = as_(SUPERVISOR).list_sessions({"plan_id": "plan-9"})
    assert sessions["total"] == 3
    assert {session["id"] for session in sessions["items"]} == {
        plan_session_id("plan-9", "a", 1), plan_session_id("plan-9", "a", 2), plan_session_id("plan-9", "b", 1)}
    assert len(events.collect(1.0, where=lambda e: e["type"] == "SessionScheduled.v1")) == 3

    as_(learner("ada")).enrol(plan_session_id("plan-9", "b", 1), {})
    moved = second + timedelta(days=1)
    revision_2 = make_envelope("PlanPublished.v1", "plan-9", published(2, [plan_item("a", first, moved)]))
    deliver(delivery, "on_plan_published", "planning", revision_2, revision_1)  # then the older one, redriven

    by_id = {session["id"]: session for session in as_(SUPERVISOR).list_sessions({"plan_id": "plan-9"})["items"]}
    kept, rescheduled, dropped = (by_id[plan_session_id("plan-9", *key)] for key in (("a", 1), ("a", 2), ("b", 1)))
    assert (kept["status"], kept["sequence"], kept["plan_revision"]) == ("scheduled", 0, 2)
    assert rescheduled["starts_at"] == moved.isoformat() and rescheduled["sequence"] == 1
    assert dropped["status"] == "cancelled" and "revision 2" in dropped["cancellation"]["reason"]
    assert events.wait_for("SessionRescheduled.v1")["data"]["previous_starts_at"] == second.isoformat()
    cancelled = events.wait_for("SessionCancelled.v1")
    assert (cancelled["subject"], cancelled["data"]["learner_ids"]) == (dropped["id"], ["ada"])
    seat, = as_(learner("ada")).learner_enrolments({})["items"]
    assert (seat["status"], seat["cancel_reason"]) == ("cancelled", "the session was cancelled")


# ---- enrolment under concurrency -------------------------------------------------------------

def test_thirty_learners_at_once_for_twenty_seats(as_, delivery, subscriber):
    """Exactly 20 seats and 10 waiting in the order the store served them; a cancellation
    promotes the head of the queue."""
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    session = as_(SUPERVISOR).schedule_session(session_body(capacity=20))
    proxies = [rpc_to(delivery, learner(f"learner-{index:02d}")) for index in range(30)]
    clients = [proxy.start() for proxy in proxies]
    try:
        results = run_together(30, lambda index: clients[index].enrol(session["id"], {}))
    finally:
        for proxy in proxies:
            proxy.stop()

    assert not [result for result in results if isinstance(result, Exception)]
    enrolled = [result["learner_id"] for result in results if result["status"] == "enrolled"]
    waiting = sorted((result for result in results if result["status"] == "waiting"),
                     key=lambda result: result["waiting_position"])
    assert len(enrolled) == 20 and len(waiting) == 10
    assert [result["waiting_position"] for result in waiting] == list(range(1, 11))
    queue = as_(SUPERVISOR).waiting_list(session["id"], {"limit": 100})
    assert [entry["learner_id"] for entry in queue["items"]] == [result["learner_id"] for result in waiting]
    full = as_(SUPERVISOR).get_session(session["id"])
    assert (full["seats_taken"], full["seats_left"], full["waiting"]) == (20, 0, 10)
    assert len(events.collect(1.5, where=lambda e: e["type"] == "LearnerEnrolled.v1")) == 20

    as_(learner(enrolled[0])).cancel_enrolment(session["id"], enrolled[0], {"reason": "cannot come"})

    head = waiting[0]["learner_id"]
    promoted = events.wait_for("LearnerEnrolled.v1", where=lambda e: e["data"]["learner_id"] == head)
    assert promoted["data"]["from_waiting_list"] is True
    queue = as_(SUPERVISOR).waiting_list(session["id"], {"limit": 100})
    assert [(entry["learner_id"], entry["waiting_position"]) for entry in queue["items"]] == [
        (result["learner_id"], position) for position, result in enumerate(waiting[1:], start=1)]
    assert as_(SUPERVISOR).get_session(session["id"])["seats_taken"] == 20
    mine = as_(learner(head)).learner_enrolments({})
    assert (mine["items"][0]["status"], mine["items"][0]["from_waiting_list"]) == ("enrolled", True)


def test_one_learner_enrolling_five_times_at_once_gets_one_place(as_, delivery):
    session = as_(SUPERVISOR).schedule_session(session_body(capacity=3))
    proxies = [rpc_to(delivery, learner("ada")) for _ in range(5)]
    clients = [proxy.start() for proxy in proxies]
    try:
        results = run_together(5, lambda index: clients[index].enrol(session["id"], {}))
    finally:
        for proxy in proxies:
            proxy.stop()

    assert sum(isinstance(result, dict) for result in results) == 1
    assert all(isinstance(result, Conflict) for result in results if not isinstance(result, dict))
    assert as_(SUPERVISOR).get_session(session["id"])["seats_taken"] == 1
    assert as_(SUPERVISOR).list_enrolments(session["id"], {})["total"] == 1


def test_cancellations_at_once_promote_the_queue_in_order_without_overselling(as_, delivery):
    session = as_(SUPERVISOR).schedule_session(session_body(capacity=5, min_participants=None))
    for index in range(10):
        as_(learner(f"l{index}")).enrol(session["id"], {})
    proxies = [rpc_to(delivery, learner(f"l{index}")) for index in range(4)]
    clients = [proxy.start() for proxy in proxies]
    try:
        results = run_together(4, lambda index: clients[index].cancel_enrolment(session["id"], f"l{index}", {}))
    finally:
        for proxy in proxies:
            proxy.stop()

    assert all(result["status"] == "cancelled" for result in results)
    after = as_(SUPERVISOR).get_session(session["id"])
    assert (after["seats_taken"], after["waiting"]) == (5, 1)
    seated = {entry["learner_id"] for entry in as_(SUPERVISOR).list_enrolments(
        session["id"], {"status": "enrolled"})["items"]}
    assert seated == {"l4", "l5", "l6", "l7", "l8"}  # the first four waiting, in order
    assert [entry["learner_id"] for entry in as_(SUPERVISOR).waiting_list(session["id"], {})["items"]] == ["l9"]


def test_concurrent_state_changes_have_one_winner(as_, delivery, subscriber):
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    session = session_in_progress(as_)
    actions = [("start_session", (session["id"],)), ("cancel_session", (session["id"], {"reason": "storm"}))] * 3
    proxies = [rpc_to(delivery, SUPERVISOR) for _ in actions]
    clients = [proxy.start() for proxy in proxies]
    try:
        results = run_together(len(actions), lambda index: getattr(clients[index], actions[index][0])(
            *actions[index][1]))
    finally:
        for proxy in proxies:
            proxy.stop()

    winners = [result for result in results if isinstance(result, dict)]
    assert len(winners) == 1
    assert all(isinstance(result, Conflict) and result.details["status"] == winners[0]["status"]
               for result in results if not isinstance(result, dict))
    if winners[0]["status"] == "cancelled":
        assert len(events.collect(1.0, where=lambda e: e["type"] == "SessionCancelled.v1")) == 1


# ---- enrolment rules -----------------------------------------------------------------------

def test_who_may_enrol_and_cancel_whom(as_, delivery):
    register(delivery, "ada", "bob")
    session = as_(SUPERVISOR).schedule_session(session_body())

    with pytest.raises(Forbidden):
        as_(learner("ada")).enrol(session["id"], {"learner_id": "bob"})
    as_(learner("ada")).enrol(session["id"], {})
    with pytest.raises(Conflict) as twice:
        as_(learner("ada")).enrol(session["id"], {})
    assert twice.value.details["enrolment"] == "enrolled"
    with pytest.raises(InvalidInput):
        as_(TRAINER).enrol(session["id"], {"learner_id": "nobody-registered"})
    with pytest.raises(Forbidden):
        as_(OTHER_TRAINER).enrol(session["id"], {"learner_id": "bob"})
    assert as_(TRAINER).enrol(session["id"], {"learner_id": "bob"})["status"] == "enrolled"
    with pytest.raises(Forbidden):
        as_(learner("ada")).cancel_enrolment(session["id"], "bob", {})
    with pytest.raises(Forbidden):
        as_(learner("ada")).learner_enrolments({"learner_id": "bob"})
    with pytest.raises(Forbidden):
        as_(learner("ada")).list_enrolments(session["id"], {})

    assert as_(learner("bob")).cancel_enrolment(session["id"], "bob", {})["status"] == "cancelled"
    assert [entry["learner_id"] for entry in as_(TRAINER).list_enrolments(session["id"], {"status": "enrolled"})[
        "items"]] == ["ada"]
    assert as_(SUPERVISOR).learner_enrolments({"learner_id": "ada"})["items"][0]["session"]["id"] == session["id"]


def test_learner_registered_twice_is_one_known_learner(as_, delivery, db):
    envelope = make_envelope("LearnerRegistered.v1", "ada", {"learner_id": "ada", "organisation": "Engines Ltd",
                                                              "registered_at": utc_now(), "user_type": "customer"})
    deliver(delivery, "on_learner_registered", "archive", envelope, envelope)

    assert list(db["learners"].find({}, {"_id": 1, "user_type": 1})) == [{"_id": "ada", "user_type": "customer"}]


def test_upkeep_repairs_what_a_crash_between_two_writes_left(as_, delivery, db):
    """A seat freed without its promotion, and an enrolment record that missed its change."""
    from nameko.testing.services import entrypoint_hook

    session = as_(SUPERVISOR).schedule_session(session_body(capacity=1))
    as_(learner("ada")).enrol(session["id"], {})
    as_(learner("bob")).enrol(session["id"], {})
    db[SESSIONS].update_one({"_id": session["id"]}, {"$pull": {"seat_holders": "ada"}, "$inc": {"seats_taken": -1}})

    with entrypoint_hook(delivery, "upkeep") as upkeep:
        upkeep()

    statuses = {entry["learner_id"]: entry["status"] for entry in as_(SUPERVISOR).list_enrolments(session["id"], {})[
        "items"]}
    assert statuses == {"ada": "cancelled", "bob": "enrolled"}
    assert as_(SUPERVISOR).get_session(session["id"])["seats_taken"] == 1


def test_csv_enrolment_is_all_or_nothing_with_row_errors(as_, delivery):
    register(delivery, "ada", "bob", "cy")
    session = as_(SUPERVISOR).schedule_session(session_body(capacity=2))
    as_(learner("cy")).enrol(session["id"], {})

    with pytest.raises(InvalidInput) as refused:
        as_(SUPERVISOR).import_enrolments(session["id"], "learner_id\nada\nghost\nada\ncy\n")
    assert refused.value.details["rows"] == {"3": {"learner_id": ["unknown learner"]},
                                             "4": {"learner_id": ["listed twice in the file"]},
                                             "5": {"learner_id": ["already enrolled"]}}
    assert as_(SUPERVISOR).get_session(session["id"])["seats_taken"] == 1
    with pytest.raises(InvalidInput):
        as_(SUPERVISOR).import_enrolments(session["id"], "name\nada\n")

    result = as_(SUPERVISOR).import_enrolments(session["id"], "learner_id\nada\nbob\n")
    assert (result["rows"], result["enrolled"], result["waiting"]) == (2, ["ada"], ["bob"])


# ---- preparation ---------------------------------------------------------------------------

@pytest.fixture
def meeting_server():
    class Meeting(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"meeting room open")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Meeting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/room/42"
    server.shutdown()


def test_ready_needs_a_complete_checklist_or_a_supervisors_reason(as_, delivery, meeting_server):
    session = as_(SUPERVISOR).schedule_session(session_body(format="online", venue=None, room_id=None,
                                                            online_url=f"http://127.0.0.1:{free_port()}/gone"))
    failed = as_(TRAINER).test_platform(session["id"])
    assert failed["platform_test"]["ok"] is False and "unreachable" in failed["platform_test"]["detail"]
    with pytest.raises(Conflict) as refused:
        as_(TRAINER).mark_ready(session["id"], {})
    assert set(refused.value.details["missing"]) == {"materials", "exercises", "participants_confirmed",
                                                     "reminders_sent", "platform_test"}
    with pytest.raises(Forbidden):
        as_(TRAINER).mark_ready(session["id"], {"override_reason": "trust me"})
    with pytest.raises(Conflict):
        as_(TRAINER).tick_checklist_item(session["id"], "platform_test", {"done": True})
    with pytest.raises(InvalidInput):
        as_(TRAINER).tick_checklist_item(session["id"], "venue", {"done": True})

    as_(SUPERVISOR).reschedule_session(session["id"], {"online_url": meeting_server, "reason": "new room"})
    tested = as_(TRAINER).test_platform(session["id"])
    assert tested["platform_test"]["ok"] is True and tested["platform_test"]["status_code"] == 200
    assert tested["platform_test"]["latency_ms"] >= 0
    for item in ("materials", "exercises", "participants_confirmed", "reminders_sent"):
        prepared = as_(TRAINER).tick_checklist_item(session["id"], item, {"done": True, "note": "ok"})
    assert prepared["checklist_complete"] is True
    ready = as_(TRAINER).mark_ready(session["id"], {})
    assert (ready["status"], ready["ready_override"]) == ("ready", None)

    other = as_(SUPERVISOR).schedule_session(session_body())
    overridden = as_(SUPERVISOR).mark_ready(other["id"], {"override_reason": "venue confirmed by phone"})
    assert overridden["ready_override"]["reason"] == "venue confirmed by phone"
    assert "venue" in overridden["ready_override"]["missing"]


def test_resources_tick_the_checklist_and_conflicts_flag_the_session(as_, delivery):
    session = as_(SUPERVISOR).schedule_session(session_body(equipment_ids=["projector-1"]))
    starts, ends = datetime.fromisoformat(session["starts_at"]), datetime.fromisoformat(session["ends_at"])
    conflict = make_envelope("ResourceConflictDetected.v1", session["id"], {
        "session_id": session["id"], "starts_at": starts, "ends_at": ends, "detected_at": utc_now(),
        "conflicts": [{"kind": "room", "resource_id": "room-4", "reason": "double_booked", "detail": "taken"}],
        "alternatives": [{"kind": "room", "resource_id": "room-5", "name": "Room 5"}]})
    deliver(delivery, "on_resource_conflict", "resources", conflict, conflict)
    flagged = as_(SUPERVISOR).get_session(session["id"])
    assert [entry["reason"] for entry in flagged["resource_conflicts"]] == ["double_booked"]

    reserved = make_envelope("ResourcesReserved.v1", session["id"], {
        "session_id": session["id"], "starts_at": starts, "ends_at": ends, "reserved_at": utc_now(),
        "reserved": [{"kind": "room", "resource_id": "room-5", "name": "Room 5"},
                     {"kind": "equipment", "resource_id": "projector-1", "name": "Projector"}]})
    deliver(delivery, "on_resources_reserved", "resources", reserved, reserved)
    prepared = {entry["item"]: entry for entry in as_(SUPERVISOR).get_session(session["id"])["checklist"]}
    assert prepared["venue"]["done"] and prepared["equipment"]["done"] and prepared["venue"]["automatic"]
    assert as_(SUPERVISOR).get_session(session["id"])["resource_conflicts"] == []


def test_sessions_below_their_minimum_close_to_the_start_are_flagged(as_, delivery):
    soon = utc_now() + timedelta(days=2)
    at_risk = as_(SUPERVISOR).schedule_session(session_body(
        starts_at=soon.isoformat(), ends_at=(soon + timedelta(hours=2)).isoformat(), min_participants=3))
    later = as_(SUPERVISOR).schedule_session(session_body(min_participants=3))
    as_(learner("ada")).enrol(at_risk["id"], {})

    flagged = as_(SUPERVISOR).list_sessions({"at_risk": True})
    assert [session["id"] for session in flagged["items"]] == [at_risk["id"]]
    assert flagged["items"][0]["go_no_go"] == {"status": "at_risk", "seats_needed": 2,
                                               "decide_by": flagged["items"][0]["go_no_go"]["decide_by"]}
    assert as_(SUPERVISOR).get_session(later["id"])["go_no_go"]["status"] == "not_due"
    for name in ("bob", "cy"):
        as_(learner(name)).enrol(at_risk["id"], {})
    assert as_(SUPERVISOR).list_sessions({"at_risk": True})["total"] == 0
    assert as_(SUPERVISOR).get_session(at_risk["id"])["go_no_go"]["status"] == "go"


# ---- running and completing ----------------------------------------------------------------

def test_attendance_check_in_interactions_record_and_completion(as_, delivery, subscriber):
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    session = session_in_progress(as_)
    for name in ("ada", "bob", "cy"):
        as_(learner(name)).enrol(session["id"], {})
    with pytest.raises(Conflict):
        as_(TRAINER).record_attendance(session["id"], {"records": [{"learner_id": "ada", "status": "present"}]})

    code = as_(TRAINER).open_check_in(session["id"])["code"]
    with pytest.raises(InvalidInput):
        as_(learner("ada")).check_in(session["id"], {"code": "000000" if code != "000000" else "111111"})
    with pytest.raises(Forbidden):
        as_(learner("zed")).check_in(session["id"], {"code": code})
    checked = as_(learner("ada")).check_in(session["id"], {"code": code})
    assert checked["attendance"]["status"] == "present" and checked["learner_id"] == "ada"
    assert as_(learner("ada")).check_in(session["id"], {"code": code})["attendance"]["checked_in_at"] == \
        checked["attendance"]["checked_in_at"]

    as_(TRAINER).start_session(session["id"])
    with pytest.raises(InvalidInput):
        as_(TRAINER).record_attendance(session["id"], {"records": [{"learner_id": "zed", "status": "present"}]})
    with pytest.raises(Forbidden):
        as_(OTHER_TRAINER).record_attendance(session["id"], {"records": [{"learner_id": "bob", "status": "late"}]})
    as_(TRAINER).record_attendance(session["id"], {"records": [
        {"learner_id": "bob", "status": "late", "participation_score": 70, "notes": "joined after the break"},
        {"learner_id": "ada", "status": "present", "participation_score": 90}]})
    question = as_(learner("bob")).log_interaction(session["id"], {"kind": "question", "text": "How do I export?"})
    with pytest.raises(Forbidden):
        as_(learner("bob")).log_interaction(session["id"], {"kind": "answer", "text": "Like this",
                                                            "in_reply_to": question["id"]})
    as_(TRAINER).log_interaction(session["id"], {"kind": "answer", "text": "File, Export", "in_reply_to": question["id"]})
    as_(TRAINER).log_interaction(session["id"], {"kind": "discussion_point", "text": "Scheduled exports"})
    log = as_(learner("ada")).list_interactions(session["id"], {})
    assert [(entry["kind"], entry["answered"]) for entry in log["items"]] == [
        ("question", True), ("answer", False), ("discussion_point", False)]
    record = as_(TRAINER).write_record(session["id"], {"content_covered": ["Exports"], "deviations": "Skipped API",
                                                       "incidents": ["Projector restarted"], "trainer_notes": "Good"})
    assert record["record"]["updated_by"] == "tom"

    completed = as_(TRAINER).complete_session(session["id"])
    assert completed["status"] == "completed"
    envelope = events.wait_for("SessionCompleted.v1")
    assert envelope["data"]["attendance"] == [
        {"learner_id": "ada", "status": "present", "participation_score": 90},
        {"learner_id": "bob", "status": "late", "participation_score": 70},
        {"learner_id": "cy", "status": "absent", "participation_score": None}]
    assert envelope["data"]["trainer_ids"] == ["tom"]
    recorded = events.collect(1.0, where=lambda e: e["type"] == "AttendanceRecorded.v1")
    assert sorted(e["data"]["learner_id"] for e in recorded) in (["ada", "bob"], [])  # some may have come earlier
    with pytest.raises(Conflict):
        as_(TRAINER).complete_session(session["id"])


def test_a_learner_checking_in_from_several_devices_at_once_is_recorded_once(as_, delivery, subscriber):
    events = subscriber(delivery.config["AMQP_URI"], "delivery")
    session = session_in_progress(as_)
    as_(learner("ada")).enrol(session["id"], {})
    code = as_(TRAINER).open_check_in(session["id"])["code"]
    proxies = [rpc_to(delivery, learner("ada")) for _ in range(4)]
    clients = [proxy.start() for proxy in proxies]
    try:
        results = run_together(4, lambda index: clients[index].check_in(session["id"], {"code": code}))
    finally:
        for proxy in proxies:
            proxy.stop()

    assert len({result["attendance"]["checked_in_at"] for result in results}) == 1
    assert len(events.collect(1.0, where=lambda e: e["type"] == "AttendanceRecorded.v1")) == 1


def test_a_check_in_code_cannot_be_guessed_even_by_guessing_in_parallel(as_, delivery):
    session = session_in_progress(as_)
    as_(learner("bob")).enrol(session["id"], {})
    code = as_(TRAINER).open_check_in(session["id"])["code"]
    wrong = [f"{(int(code) + n) % 10 ** 6:06d}" for n in range(1, 9)]
    proxies = [rpc_to(delivery, learner("bob")) for _ in range(8)]
    clients = [proxy.start() for proxy in proxies]
    try:
        outcomes = run_together(8, lambda index: clients[index].check_in(session["id"], {"code": wrong[index]}))
    finally:
        for proxy in proxies:
            proxy.stop()

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict"] * 3 + ["InvalidInput"] * 5
    with pytest.raises(Conflict) as refused:  # the right code too, once the guesses are spent
        as_(learner("bob")).check_in(session["id"], {"code": code})
    assert refused.value.details["wrong_codes"] == 5
    fresh = as_(TRAINER).open_check_in(session["id"])["code"]  # a new code: new guesses
    assert as_(learner("bob")).check_in(session["id"], {"code": fresh})["attendance"]["status"] in ("present", "late")


# ---- calendars and erasure -----------------------------------------------------------------

def test_calendar_feeds_are_per_trainer_and_per_learner(as_, delivery):
    from icalendar import Calendar

    kept = as_(SUPERVISOR).schedule_session(session_body(title="Kept"))
    dropped = as_(SUPERVISOR).schedule_session(session_body(title="Dropped"))
    as_(learner("ada")).enrol(kept["id"], {})
    as_(learner("ada")).enrol(dropped["id"], {})
    as_(SUPERVISOR).cancel_session(dropped["id"], {"reason": "trainer ill"})

    feed = Calendar.from_ical(as_(learner("ada")).learner_calendar("ada"))
    events = {str(event["SUMMARY"]): event for event in feed.walk("VEVENT")}
    assert (str(events["Kept"]["STATUS"]), str(events["Dropped"]["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert str(events["Kept"]["UID"]) == f"{kept['id']}@training-platform"
    assert int(events["Dropped"]["SEQUENCE"]) == 1
    with pytest.raises(Forbidden):
        as_(learner("bob")).learner_calendar("ada")
    trainer_feed = Calendar.from_ical(as_(TRAINER).trainer_calendar("tom"))
    assert len(trainer_feed.walk("VEVENT")) == 2


def test_a_secret_link_serves_ones_own_feed_to_calendar_programs_until_replaced_or_revoked(as_, delivery):
    from icalendar import Calendar

    session = as_(SUPERVISOR).schedule_session(session_body(title="Linked"))
    as_(learner("ada")).enrol(session["id"], {})
    link = as_(learner("ada")).issue_calendar_link({"kind": "learner"})
    nobody = as_({"id": "someone", "roles": ["learner"]})  # whoever holds the link: it is the credential

    event, = Calendar.from_ical(nobody.calendar_by_link(link["key"])).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Linked"
    replacement = as_(learner("ada")).issue_calendar_link({"kind": "learner"})
    with pytest.raises(NotFound):
        nobody.calendar_by_link(link["key"])  # replaced
    assert Calendar.from_ical(nobody.calendar_by_link(replacement["key"])).walk("VEVENT")
    as_(learner("ada")).revoke_calendar_link({"kind": "learner"})
    with pytest.raises(NotFound):
        nobody.calendar_by_link(replacement["key"])
    with pytest.raises(NotFound):
        as_(learner("ada")).revoke_calendar_link({"kind": "learner"})

    trainer_link = as_(TRAINER).issue_calendar_link({"kind": "trainer"})
    assert len(Calendar.from_ical(nobody.calendar_by_link(trainer_link["key"])).walk("VEVENT")) == 1
    with pytest.raises(Forbidden):
        as_(learner("ada")).issue_calendar_link({"kind": "trainer"})
    with pytest.raises(InvalidInput):
        as_(learner("ada")).issue_calendar_link({"kind": "everyone"})

    ada_link = as_(learner("ada")).issue_calendar_link({"kind": "learner"})
    erased = make_envelope("LearnerErased.v1", "ada", {"learner_id": "ada", "erased_at": utc_now()})
    deliver(delivery, "on_learner_erased", "archive", erased, erased)
    with pytest.raises(NotFound):
        nobody.calendar_by_link(ada_link["key"])


def test_a_person_asking_for_calendar_links_from_several_devices_at_once_ends_up_with_one(as_, delivery):
    from icalendar import Calendar

    as_(learner("ada")).enrol(as_(SUPERVISOR).schedule_session(session_body())["id"], {})
    proxies = [rpc_to(delivery, learner("ada")) for _ in range(4)]
    clients = [proxy.start() for proxy in proxies]
    try:
        links = run_together(4, lambda index: clients[index].issue_calendar_link({"kind": "learner"}))
    finally:
        for proxy in proxies:
            proxy.stop()

    nobody = as_({"id": "someone", "roles": ["learner"]})
    working = []
    for link in links:
        try:
            working.append(Calendar.from_ical(nobody.calendar_by_link(link["key"])))
        except NotFound:
            pass
    assert len(working) == 1 and len(working[0].walk("VEVENT")) == 1


def test_learner_erased_leaves_nothing_that_names_them(as_, delivery, db):
    register(delivery, "ada")
    session = session_in_progress(as_)
    as_(learner("ada")).enrol(session["id"], {})
    code = as_(TRAINER).open_check_in(session["id"])["code"]
    as_(learner("ada")).check_in(session["id"], {"code": code})
    as_(TRAINER).start_session(session["id"])
    as_(learner("ada")).log_interaction(session["id"], {"kind": "question", "text": "A question"})
    full = as_(SUPERVISOR).schedule_session(session_body(capacity=1))
    as_(learner("bob")).enrol(full["id"], {})
    as_(learner("ada")).enrol(full["id"], {})  # waiting

    erased = make_envelope("LearnerErased.v1", "ada", {"learner_id": "ada", "erased_at": utc_now()})
    deliver(delivery, "on_learner_erased", "archive", erased, erased)

    for name in db.list_collection_names():
        if name not in ("applied_events",):
            assert "'ada'" not in repr(list(db[name].find())), name
    enrolments = as_(SUPERVISOR).list_enrolments(session["id"], {})["items"]
    assert enrolments[0]["learner_id"].startswith("erased-")
    assert enrolments[0]["attendance"]["status"] == "present"
    assert as_(SUPERVISOR).get_session(full["id"])["waiting"] == 1
    assert db[SESSIONS].count_documents({"seat_holders": enrolments[0]["learner_id"]}) == 1
    assert db[ENROLMENTS].count_documents({"learner_id": enrolments[0]["learner_id"]}) == 2


# ---- messages: invitations that update and cancel, reminders, each sent once ----------------

def calendar_of(mail):
    from icalendar import Calendar

    part, = [part for part in mail.walk() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    return str(calendar["METHOD"]), calendar.walk("VEVENT")[0]


def test_learners_get_invitations_that_update_and_cancel_and_one_reminder(
        as_, delivery, service_process, mongo_uri, smtp_server, monkeypatch):
    from nameko.testing.services import entrypoint_hook
    from shared.testing import cluster_rpc, wait_until

    archive = service_process("archive", delivery.config["AMQP_URI"], mongo_uri("archive"))
    with cluster_rpc(delivery.config["AMQP_URI"], {"id": "sam", "roles": ["specialist"]}) as rpc:
        rpc.archive.register_learner({"learner_id": "ada", "first_name": "Ada", "last_name": "Lovelace",
                                      "email": "ada@example.com", "organisation": "Engines Ltd",
                                      "user_type": "customer"})
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("SMTP_FROM", "training@example.com")
    soon = utc_now().replace(microsecond=0) + timedelta(days=3)
    session = as_(SUPERVISOR).schedule_session(session_body(starts_at=soon.isoformat(),
                                                            ends_at=(soon + timedelta(hours=2)).isoformat()))

    as_(learner("ada")).enrol(session["id"], {})
    invited, = wait_until(lambda: smtp_server.messages(), message="the invitation")
    method, event = calendar_of(invited)
    assert invited["X-RcptTo"] == "ada@example.com" and invited["Subject"] == "You are enrolled: Basics, cohort 1"
    assert (method, int(event["SEQUENCE"]), str(event["UID"])) == ("REQUEST", 0, f"{session['id']}@training-platform")
    assert event.decoded("DTSTART") == soon

    later = soon + timedelta(hours=4)
    as_(TRAINER).reschedule_session(session["id"], {"starts_at": later.isoformat(), "reason": "room clash",
                                                    "ends_at": (later + timedelta(hours=2)).isoformat()})
    updated = wait_until(lambda: [mail for mail in smtp_server.messages() if mail["Subject"].startswith("Changed")],
                         message="the updated invitation")[0]
    method, event = calendar_of(updated)
    assert (method, int(event["SEQUENCE"]), str(event["UID"])) == ("REQUEST", 1, f"{session['id']}@training-platform")
    assert event.decoded("DTSTART") == later and "room clash" in updated.get_payload()[0].get_payload()

    with entrypoint_hook(delivery, "upkeep") as upkeep:
        upkeep()
    with entrypoint_hook(delivery, "upkeep") as upkeep:
        upkeep()  # a second round finds the reminder claimed and sent
    reminders = [mail for mail in smtp_server.messages() if mail["Subject"].startswith("Reminder")]
    assert len(reminders) == 1
    reminded = {entry["item"]: entry for entry in as_(SUPERVISOR).get_session(session["id"])["checklist"]}
    assert reminded["reminders_sent"]["done"] is True

    as_(SUPERVISOR).cancel_session(session["id"], {"reason": "trainer ill"})
    cancelled = wait_until(lambda: [mail for mail in smtp_server.messages() if mail["Subject"].startswith("Cancelled")],
                           message="the cancellation")[0]
    method, event = calendar_of(cancelled)
    assert (method, int(event["SEQUENCE"]), str(event["STATUS"])) == ("CANCEL", 2, "CANCELLED")
    assert len(smtp_server.messages()) == 4
    archive.stop()
