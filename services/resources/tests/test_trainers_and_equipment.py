"""The trainer pool, scorecards and evaluations, the equipment ledger and rooms, and erasure,
through resources' real RPC and handlers."""
from datetime import timedelta

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver, rpc_to, run_together

from services.resources.tests.conftest import MANAGER, SPECIALIST, SUPERVISOR, at, scheduled, trainer

ADA = {"id": "ada", "roles": ["trainer"]}
DAN = {"id": "dan", "roles": ["trainer"]}


def completed(session_id, trainer_ids, start=9, end=12, equipment_ids=()):
    return make_envelope("SessionCompleted.v1", session_id, {
        "session_id": session_id, "title": f"Reporting basics ({session_id})", "format": "online",
        "starts_at": at(start), "ends_at": at(end), "trainer_ids": trainer_ids, "equipment_ids": list(equipment_ids),
        "attendance": [], "completed_at": at(end)})


def feedback(response_id, session_id, trainer_score):
    return make_envelope("FeedbackSubmitted.v2", response_id, {
        "response_id": response_id, "survey_id": "survey-1", "session_id": session_id, "respondent": "learner",
        "anonymous": False, "learner_id": "lea", "trainer_ids": ["ada"],
        "section_scores": {"content": 4.0, "trainer": trainer_score}, "has_comment": False, "submitted_at": at(13)})


def graded(submission_id, learner_id, passed, session_id="s1", hour=14):
    return make_envelope("ExamGraded.v1", submission_id, {
        "submission_id": submission_id, "exam_id": "exam-1", "learner_id": learner_id, "session_id": session_id,
        "score": 80.0 if passed else 40.0, "pass_score": 60, "passed": passed, "weak_topics": [],
        "graded_at": at(hour), "method": "online"})


def test_a_scorecard_adds_up_delivery_ratings_and_pass_rates_once_each(as_, container, pool):
    deliver(container, "on_session_scheduled", "delivery", scheduled("s1", trainer_ids=["ada"], format="online"))
    done = completed("s1", ["ada"], equipment_ids=pool["projectors"][:1])
    deliver(container, "on_session_completed", "delivery", done, done)
    first, second = feedback("r1", "s1", 5.0), feedback("r2", "s1", 4.0)
    deliver(container, "on_feedback_submitted", "feedback", first, second, first)
    # Lea failed, then passed a retake; Max failed. Each result delivered twice.
    results = [graded("x1", "lea", False), graded("x2", "lea", True, hour=15), graded("x3", "max", False)]
    deliver(container, "on_exam_graded", "assessment", *results, *results)

    card = as_(ADA).get_scorecard("ada", {"period": "2030-H1"})
    assert card == {"trainer_id": "ada", "period": "2030-H1", "sessions_delivered": 1, "hours_delivered": 3.0,
                    "sessions_as_planned": 1, "on_time_rate": 1.0, "ratings": 2, "average_rating": 4.5,
                    "learners_graded": 2, "pass_rate": 0.5, "suggested_outcome": "development_plan"}
    assert as_(SUPERVISOR).get_scorecard("ada", {"period": "2030-H2"})["sessions_delivered"] == 0
    with pytest.raises(Forbidden):
        as_(DAN).get_scorecard("ada", {})
    projector = as_(SUPERVISOR).get_equipment(pool["projectors"][0])
    assert ([usage["session_id"] for usage in projector["usage"]], projector["hours_used"]) == (["s1"], 3.0)


def test_an_evaluation_is_decided_once_per_period_and_removal_releases_the_trainer(as_, container, resources, pool,
                                                                                   subscriber):
    deliver(container, "on_session_scheduled", "delivery", scheduled("s1", trainer_ids=["dan"], format="online"))
    events = subscriber(resources["AMQP_URI"], "resources")
    with pytest.raises(Forbidden):
        as_(SPECIALIST).evaluate_trainer("dan", {"period": "2030-H1", "outcome": "keep", "reason": "fine"})
    with pytest.raises(InvalidInput):
        as_(MANAGER).evaluate_trainer("dan", {"period": "2030-S1", "outcome": "keep", "reason": "fine"})

    def evaluate(index):
        with rpc_to(container, MANAGER) as manager:
            return manager.evaluate_trainer("dan", {"period": "2030-H1", "outcome": "remove",
                                                    "reason": f"left the company ({index})"})

    outcomes = run_together(2, evaluate)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "dict"]
    evaluated = events.wait_for("TrainerEvaluated.v1")
    conflict = events.wait_for("ResourceConflictDetected.v1")
    assert (evaluated["data"]["outcome"], evaluated["data"]["period"], evaluated["data"]["sessions_delivered"]) == (
        "remove", "2030-H1", 0)
    assert [(item["kind"], item["reason"]) for item in conflict["data"]["conflicts"]] == [("trainer", "retired")]
    dan = as_(SUPERVISOR).get_trainer("dan")
    assert (dan["status"], len(dan["evaluations"])) == ("removed", 1)
    assert as_(ADA).get_trainer("dan")["evaluations"] == []  # another trainer does not see them


def test_trainers_keep_their_own_leave_and_development_records(as_, pool):
    ada = as_(ADA)
    ada.add_training("ada", {"title": "Facilitation skills", "provider": "Academy", "completed_on": "2029-11-02",
                             "hours": 16})
    ada.add_certification("ada", {"name": "Analytics expert", "issuer": "Vendor", "issued_on": "2029-06-01",
                                  "expires_on": "2031-06-01"})
    with pytest.raises(Forbidden):
        ada.add_leave("dan", {"starts_on": "2030-01-01", "ends_on": "2030-01-02"})
    with pytest.raises(InvalidInput):
        ada.add_leave("ada", {"starts_on": "2030-01-05", "ends_on": "2030-01-02"})
    leave = ada.add_leave("ada", {"starts_on": "2030-01-01", "ends_on": "2030-01-02", "reason": "holiday"})["leave"]
    profile = ada.remove_leave("ada", leave[0]["id"])
    assert profile["leave"] == []
    assert [record["title"] for record in profile["trainings"]] == ["Facilitation skills"]
    assert profile["certifications"][0]["expires_on"] == "2031-06-01"
    with pytest.raises(Conflict):
        as_(SUPERVISOR).register_trainer(trainer("ada", "Ada again", email="other@example.com"))
    assert [item["id"] for item in as_(SUPERVISOR).list_trainers({"tier": "basic_operation"})["items"]] == [
        "ada", "dan"]


def test_the_equipment_ledger_keeps_maintenance_upgrades_and_disposal(as_, resources, pool, subscriber):
    events = subscriber(resources["AMQP_URI"], "resources")
    staff = as_(SUPERVISOR)
    projector = pool["projectors"][0]
    with pytest.raises(Conflict):
        staff.register_equipment({"asset_tag": "PRJ-1", "type": "projector", "model": "X",
                                  "purchase_date": "2024-01-01", "location": "HQ"})
    opened = staff.open_maintenance(projector, {"kind": "fault", "description": "no picture"})
    record_id = opened["maintenance"][0]["id"]
    with pytest.raises(Conflict):
        staff.open_maintenance(projector, {"kind": "repair", "description": "again"})
    repaired = staff.close_maintenance(projector, record_id, {"repaired_by": "Vendor service", "cost": "120.50"})
    with pytest.raises(Conflict):
        staff.close_maintenance(projector, record_id, {"repaired_by": "Vendor service"})
    with pytest.raises(NotFound):
        staff.close_maintenance(projector, "maintenance-missing", {"repaired_by": "x"})
    upgraded = staff.record_upgrade(projector, {"description": "4K lamp", "new_model": "Epson X41-4K", "cost": "80"})
    staff.check_out_equipment(projector)
    with pytest.raises(Conflict):
        staff.retire_equipment(projector, {"reason": "old", "method": "sold", "disposed_on": "2030-01-01"})
    staff.check_in_equipment(projector)
    retired = staff.retire_equipment(projector, {"reason": "obsolete", "method": "sold", "disposed_on": "2030-01-01",
                                                 "proceeds": "35.00"})

    envelope = events.wait_for("EquipmentRetired.v1")
    assert (repaired["status"], repaired["maintenance"][0]["cost"], repaired["maintenance"][0]["closed_by"]) == (
        "available", "120.50", "sue")
    assert (upgraded["model"], upgraded["name"], upgraded["upgrades"][0]["previous_model"]) == (
        "Epson X41-4K", "projector Epson X41-4K (PRJ-1)", "Epson X41")
    assert (retired["status"], retired["disposal"]["method"], retired["disposal"]["proceeds"]) == (
        "retired", "sold", "35.00")
    assert envelope["data"]["asset_tag"] == "PRJ-1"
    with pytest.raises(Conflict):
        staff.record_upgrade(projector, {"description": "too late"})
    assert as_(SUPERVISOR).list_equipment({"status": "retired"})["total"] == 1


def test_rooms_are_listed_by_capacity_and_fitting_and_a_closed_room_is_not_booked(as_, container, pool):
    staff = as_(SUPERVISOR)
    with pytest.raises(Conflict):
        staff.create_room({"name": "Turing", "site": "HQ", "capacity": 5})
    assert [room["name"] for room in staff.list_rooms({"min_capacity": 10})["items"]] == ["Turing"]
    assert [room["name"] for room in staff.list_rooms({"fitting": "whiteboard"})["items"]] == ["Turing"]
    with pytest.raises(InvalidInput):
        staff.update_room(pool["room"], {"capacity": 0})
    closed = staff.update_room(pool["room"], {"status": "closed"})
    assert (closed["capacity"], closed["fittings"]) == (20, ["projector", "whiteboard"])  # untouched
    deliver(container, "on_session_scheduled", "delivery", scheduled("s1", trainer_ids=["ada"], room_id=pool["room"]))
    assert [(conflict["kind"], conflict["reason"]) for conflict in staff.get_booking("s1")["conflicts"]] == [
        ("room", "retired")]


def test_two_people_editing_the_same_version_of_a_room_or_trainer_do_not_overwrite_each_other(
        as_, container, pool):
    room = as_(SUPERVISOR).get_room(pool["room"])
    ada = as_(SUPERVISOR).get_trainer("ada")

    def edit_together(method, target, changes):
        def edit(index):
            with rpc_to(container, SUPERVISOR) as staff:
                return getattr(staff, method)(target, changes(index))
        return run_together(8, edit)

    outcomes = edit_together("update_room", pool["room"],
                             lambda index: {"capacity": 30 + index, "version": room["version"]})
    won, = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    lost = [outcome for outcome in outcomes if not isinstance(outcome, dict)]
    assert len(lost) == 7 and all(isinstance(outcome, Conflict) for outcome in lost)
    assert lost[0].details["version"] == won["version"] == room["version"] + 1
    assert as_(SUPERVISOR).get_room(pool["room"])["capacity"] == won["capacity"]

    outcomes = edit_together("update_trainer", "ada",
                             lambda index: {"languages": ["en", f"l{index}"], "version": ada["version"]})
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict"] * 7 + ["dict"]
    # Naming no version applies the change to whatever is current, as before.
    assert as_(SUPERVISOR).update_room(pool["room"], {"fittings": ["screen"]})["version"] == room["version"] + 2


def test_an_erased_learner_is_pseudonymised_in_loans_and_results(as_, container, resources, store, pool):
    material_id = as_(SUPERVISOR).create_material({"title": "Handbook", "topics": ["Reporting"],
                                                   "format": "handout"})["id"]
    copy = as_(SUPERVISOR).add_copy(material_id, {"label": "H-1", "location": "Library"})
    due = (at(0) + timedelta(days=400)).date().isoformat()
    as_(SUPERVISOR).lend_copy(material_id, copy["id"], {"borrower_id": "lea", "borrower_name": "Lea Learner",
                                                        "due_on": due})
    as_(SUPERVISOR).return_copy(material_id, copy["id"], {})
    as_(SUPERVISOR).lend_copy(material_id, copy["id"], {"borrower_id": "lea", "borrower_name": "Lea Learner",
                                                        "due_on": due})
    deliver(container, "on_session_completed", "delivery", completed("s1", ["ada"]))
    deliver(container, "on_exam_graded", "assessment", graded("x1", "lea", True), graded("x2", "max", False))

    erased = make_envelope("LearnerErased.v1", "lea", {"learner_id": "lea", "erased_at": at(0)})
    deliver(container, "on_learner_erased", "archive", erased, erased)

    db = store(resources, "resources")
    copy = db["material_copies"].find_one()
    assert {(loan["borrower_id"], loan["borrower_name"]) for loan in [copy["loan"]] + copy["history"]} == {
        (copy["loan"]["borrower_id"], None)}
    assert db["trainer_activity"].count_documents({"learner_id": "lea"}) == 0
    loans = as_(SUPERVISOR).list_loans({"state": "all"})["items"]
    assert len({loan["borrower_id"] for loan in loans}) == 1 and loans[0]["borrower_id"].startswith("erased-")
    assert as_(SUPERVISOR).get_scorecard("ada", {"period": "2030"})["pass_rate"] == 0.5  # still counted
