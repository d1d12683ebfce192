"""Interface tests of the archive through its real entrypoints, real broker and real store."""
import base64
import random
from datetime import timedelta

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope, utc_now
from shared.publisher import EventPublisher
from shared.testing import as_service, deliver, rpc_to, run_together, wait_until

from services.archive import retention
from services.archive.service import ArchiveService
from services.archive.store import AUDIT, FACTS, LEARNERS, RECORDS, RESULTS
from services.archive.tests.events import (DAY, HANDLERS, HOUR, T0, attendance, cancelled, certificate, completed,
                                           enrolled, full_history, graded, same_shape)

SPECIALIST = {"id": "sam", "roles": ["specialist"]}
SUPERVISOR = {"id": "sue", "roles": ["supervisor"]}
AUDITOR = {"id": "kim", "roles": ["auditor"]}
MANAGER = {"id": "mia", "roles": ["manager"]}
ADA_ID = "ada.lovelace-7f3e"
ADA_LEARNER = {"id": ADA_ID, "roles": ["learner"]}
ADA = {"learner_id": ADA_ID, "first_name": "Ada", "last_name": "Lovelace", "email": "Ada.Lovelace@Example.com",
       "phone": "+44 20 7946 0001", "language": "en", "organisation": "Engines Ltd", "department": "Analytics",
       "user_type": "customer", "industry": "manufacturing"}
GRACE = dict(ADA, learner_id="grace-h", first_name="Grace", last_name="Hopper", email="grace@example.com",
             organisation="Cobol Retail", department="IT", user_type="partner", industry="retail")


@pytest.fixture
def archive(running_service):
    return running_service(ArchiveService)


@pytest.fixture
def as_(archive, rpc_as):
    return lambda caller: rpc_as(archive, caller)


@pytest.fixture
def db(archive, store):
    return store(archive.config, "archive")


def send(archive, *envelopes):
    """Deliver each envelope as its publisher would, waiting until the archive has handled it."""
    for envelope in envelopes:
        handler, source = HANDLERS[envelope["type"]]
        deliver(archive, handler, source, envelope)


def raw_store_text(db):
    return " ".join(str(doc) for name in db.list_collection_names() for doc in db[name].find())


# ---- the registry --------------------------------------------------------------------------------

def test_registration_seals_personal_data_and_announces_only_attributes(as_, archive, db, subscriber):
    events = subscriber(archive.config["AMQP_URI"], "archive")
    learner = as_(SPECIALIST).register_learner(ADA)

    envelope = events.wait_for("LearnerRegistered.v1")
    assert envelope["subject"] == ADA_ID
    assert {key: value for key, value in envelope["data"].items() if key != "registered_at"} == {
        "learner_id": ADA_ID, "organisation": "Engines Ltd", "department": "Analytics", "user_type": "customer",
        "industry": "manufacturing"}
    assert (learner["email"], learner["status"]) == (ADA["email"], "active")
    assert as_(ADA_LEARNER).get_learner(ADA_ID)["last_name"] == "Lovelace"
    stored = raw_store_text(db)
    assert "Lovelace" not in stored and "example.com" not in stored.lower() and "7946" not in stored
    # Equality search finds the learner through keyed hashes, whatever the case and spacing.
    found = as_(SUPERVISOR).list_learners({"email": "ada.lovelace@example.COM"})
    assert [each["learner_id"] for each in found["items"]] == [ADA_ID]
    assert as_(SUPERVISOR).list_learners({"name": "  ada   LOVELACE "})["total"] == 1
    assert as_(SUPERVISOR).list_learners({"user_type": "partner"})["total"] == 0


def test_invalid_or_duplicate_learners_are_refused_and_nothing_is_written(as_, archive):
    with pytest.raises(InvalidInput) as refused:
        as_(SPECIALIST).register_learner(dict(ADA, email="not-an-email", user_type="friend", nickname="x"))
    assert set(refused.value.details["fields"]) == {"email", "user_type", "nickname"}
    as_(SPECIALIST).register_learner(ADA)
    with pytest.raises(Conflict):
        as_(SPECIALIST).register_learner(dict(GRACE, learner_id=ADA_ID))
    with pytest.raises(Conflict):
        as_(SPECIALIST).register_learner(dict(GRACE, email="ADA.lovelace@example.com"))
    with pytest.raises(Forbidden):
        as_(MANAGER).register_learner(GRACE)
    assert as_(SUPERVISOR).list_learners({})["total"] == 1


def test_concurrent_registrations_of_one_email_have_one_winner(archive):
    def register(index):
        with rpc_to(archive, SPECIALIST) as archive_rpc:
            return archive_rpc.register_learner(dict(ADA, learner_id=f"ada-{index}"))

    outcomes = run_together(6, register)

    assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1
    assert all(isinstance(outcome, Conflict) for outcome in outcomes if not isinstance(outcome, dict))


def test_bulk_import_is_all_or_nothing_with_messages_per_row(as_, archive, subscriber):
    events = subscriber(archive.config["AMQP_URI"], "archive")
    header = "learner_id,first_name,last_name,email,organisation,department,user_type,industry\n"
    good = "".join(f"l-{n},First{n},Last{n},l{n}@example.com,Org {n % 3},Dept,customer,retail\n" for n in range(40))
    bad = "x-1,Ann,Lee,ann@example.com,Org,,vendor,\nl-3,Dup,Row,dup@example.com,Org,,customer,\n"

    with pytest.raises(InvalidInput) as refused:
        as_(SPECIALIST).import_learners(header + good + bad)
    assert refused.value.details["rows"] == {"42": {"user_type": ["Must be one of: customer, partner, internal."]},
                                             "43": {"learner_id": ["the same as row 5"]}}
    assert as_(SUPERVISOR).list_learners({})["total"] == 0

    imported = as_(SPECIALIST).import_learners(header + good)
    assert imported["imported"] == 40
    assert as_(SUPERVISOR).list_learners({"organisation": "Org 1", "limit": 100})["total"] == 13
    assert len(events.collect(3, where=lambda envelope: envelope["type"] == "LearnerRegistered.v1")) == 40
    with pytest.raises(InvalidInput) as again:
        as_(SPECIALIST).import_learners(header + good.splitlines(keepends=True)[0])
    assert again.value.details["rows"]["2"] == {"learner_id": ["already registered"], "email": ["already registered"]}


def test_concurrent_updates_of_a_learner_lose_no_change(as_, archive):
    """Five people change five different fields at once: the sealed fields are rewritten whole,
    yet every change is kept."""
    as_(SPECIALIST).register_learner(ADA)
    changes = [{"phone": "+44 20 7946 0999"}, {"language": "pt-BR"}, {"department": "Finance"},
               {"industry": "banking"}, {"first_name": "Augusta Ada"}]

    def update(index):
        with rpc_to(archive, SUPERVISOR) as archive_rpc:
            return archive_rpc.update_learner(ADA_ID, {"changes": changes[index], "reason": "correction"})

    outcomes = run_together(len(changes), update)

    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    learner = as_(SUPERVISOR).get_learner(ADA_ID)
    for change in changes:
        assert {field: learner[field] for field in change} == change
    as_(SUPERVISOR).update_learner(ADA_ID, {"changes": {"email": "ada@new.example.com"}, "reason": "new address"})
    assert as_(SUPERVISOR).list_learners({"email": "ada@new.example.com"})["total"] == 1
    assert as_(SUPERVISOR).list_learners({"email": ADA["email"]})["total"] == 0
    with pytest.raises(InvalidInput):
        as_(SUPERVISOR).update_learner(ADA_ID, {"changes": {}, "reason": "nothing"})


def test_only_services_resolve_contact_details(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    with ServiceRpcProxy("archive", archive.config, context_data=as_service("delivery"), timeout=10) as delivery:
        contacts = delivery.contact_details({"learner_ids": [ADA_ID, "nobody"]})
    assert contacts == {"items": [{"learner_id": ADA_ID, "name": "Ada Lovelace", "email": ADA["email"],
                                   "phone": ADA["phone"], "language": "en"}]}
    with pytest.raises(Forbidden):
        as_(SUPERVISOR).contact_details({"learner_ids": [ADA_ID]})


# ---- archives built from events -------------------------------------------------------------------

def test_the_archive_shows_a_learners_whole_training_history(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    send(archive, *full_history(ADA_ID))

    found = as_(ADA_LEARNER).get_archive(ADA_ID)

    assert found["learner"]["first_name"] == "Ada"
    attended, cancelled_one = sorted(found["records"], key=lambda record: record["title"], reverse=True)
    assert (attended["title"], attended["venue"], attended["trainer_ids"]) == ("Reports workshop", "Room 2",
                                                                               ["tom", "tia"])
    assert attended["attendance"]["status"] == "present" and attended["attendance"]["participation_score"] == 90
    assert (attended["session_status"], attended["completed"], attended["hours"]) == ("completed", True, 3.0)
    assert (attended["result"]["score"], attended["result"]["passed"]) == (82.0, True)
    assert cancelled_one["enrolment"]["status"] == "cancelled" and not cancelled_one["completed"]
    assert [result["title"] for result in found["results"]] == ["Reports exam", "Reports pre-test"]
    assert found["certificates"][0]["expires_at"] == (T0 + 400 * DAY).date().isoformat()
    assert len(found["feedback"]) == 1  # the anonymous response names nobody
    assert found["summary"] == {"sessions_enrolled": 1, "sessions_completed": 1, "training_hours": 3.0,
                                "results": 1, "passed": 1, "certificates_valid": 1}


def test_the_same_events_in_another_order_or_twice_leave_the_same_archive(as_, archive):
    """Ada's events arrive one by one in order; Bob's, the same story, all at once, shuffled and
    each twice, so the archive's workers fold his record concurrently."""
    send(archive, *full_history("ada"))
    bobs = full_history("bob")
    shuffled = random.Random(7).sample(bobs + bobs, 2 * len(bobs))
    publishers = {}
    for envelope in shuffled:
        source = HANDLERS[envelope["type"]][1]
        publishers.setdefault(source, EventPublisher(archive.config["AMQP_URI"], source)).publish(envelope)
    for publisher in publishers.values():
        publisher.close()

    adas = same_shape(as_(SUPERVISOR).get_archive("ada"), "ada")
    wait_until(lambda: same_shape(as_(SUPERVISOR).get_archive("bob"), "bob") == adas, timeout=30,
               message="Bob's archive to match Ada's")
    assert adas["summary"]["training_hours"] == 3.0


def test_a_cancelled_session_ends_its_enrolments(as_, archive):
    send(archive, enrolled("ada", "s-9", T0 - DAY), cancelled("s-9", ["ada"], T0))
    record, = as_(SUPERVISOR).get_archive("ada")["records"]
    assert (record["session_status"], record["enrolment"]["status"]) == ("cancelled", "cancelled")
    assert record["enrolment"]["reason"] == "session cancelled: trainer ill"


# ---- access and audit -----------------------------------------------------------------------------

def test_a_learner_cannot_read_another_archive_by_guessing_ids(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    send(archive, *full_history(ADA_ID))
    grace = as_({"id": "grace-h", "roles": ["learner"]})

    for learner_id in (ADA_ID, "nobody-at-all", "ada", ADA_ID.upper()):
        for read in (grace.get_archive, grace.get_learner, grace.export_archive, grace.export_archive_csv,
                     grace.transcript, grace.learner_statements):
            with pytest.raises(Forbidden):  # never NotFound: a guess tells nothing
                read(learner_id)
    with pytest.raises(Forbidden):
        grace.search_records({"learner_id": ADA_ID})
    with pytest.raises(Forbidden):
        as_(MANAGER).get_archive(ADA_ID)
    with pytest.raises(Forbidden):
        as_({"id": "tina", "roles": ["trainer"]}).get_archive(ADA_ID)  # not her session

    refusals = as_(AUDITOR).list_audit({"actor_id": "grace-h", "action": "read_denied", "limit": 100})
    assert refusals["total"] == 4 * 6
    assert {entry["details"]["attempted"] for entry in refusals["items"]} == {
        "read_archive", "read_learner", "export", "transcript", "xapi"}


def test_every_read_of_an_archive_is_audited_with_who_when_what_and_why(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    send(archive, enrolled(ADA_ID, "s-1", T0 - DAY))
    before = utc_now()

    as_(ADA_LEARNER).get_archive(ADA_ID)
    as_(SUPERVISOR).get_learner(ADA_ID, {"reason": "support ticket 4711"})
    as_({"id": "tom", "roles": ["trainer"]}).get_archive(ADA_ID)
    as_(AUDITOR).export_archive_csv(ADA_ID, {"reason": "yearly audit"})
    as_(SUPERVISOR).transcript(ADA_ID)
    as_(SUPERVISOR).search_records({"organisation": "Engines Ltd", "reason": "planning"})

    reads = as_(AUDITOR).list_audit({"learner_id": ADA_ID, "since": before.isoformat(), "limit": 100})["items"]
    logged = sorted((entry["actor_id"], entry["action"], entry["reason"]) for entry in reads)
    assert logged == [("ada.lovelace-7f3e", "read_archive", "own archive"),
                      ("kim", "export", "yearly audit"),
                      ("sue", "read_learner", "support ticket 4711"),
                      ("sue", "transcript", "as supervisor"),
                      ("tom", "read_archive", "trainer of the learner's session")]
    search, = as_(AUDITOR).list_audit({"action": "search"})["items"]
    assert (search["actor_id"], search["details"]["filters"], search["reason"]) == (
        "sue", {"organisation": "Engines Ltd"}, "planning")
    changes = as_(AUDITOR).list_audit({"learner_id": ADA_ID, "action": "event"})["items"]
    assert [(entry["actor_id"], entry["reason"]) for entry in changes] == [("delivery", "LearnerEnrolled.v1")]
    assert as_(AUDITOR).list_audit({"learner_id": ADA_ID, "action": "register"})["total"] == 1
    with pytest.raises(Forbidden):
        as_(SUPERVISOR).list_audit({})


# ---- retrieval and analytics ----------------------------------------------------------------------

def test_search_filters_sorts_pages_and_counts_classes(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    as_(SPECIALIST).register_learner(GRACE)
    send(archive,
         enrolled(ADA_ID, "s-1", T0 - 9 * DAY, title="Reports workshop", starts=T0, trainers=("tom",)),
         enrolled("grace-h", "s-1", T0 - 9 * DAY, title="Reports workshop", starts=T0, trainers=("tom",)),
         enrolled("grace-h", "s-2", T0 - 9 * DAY, title="Alerts clinic", starts=T0 + 7 * DAY, trainers=("tia",)),
         completed("s-1", [(ADA_ID, "present"), ("grace-h", "absent")], T0 + 3 * HOUR, trainers=("tom",)),
         graded(ADA_ID, "s-1", 75.0, T0 + DAY))

    newest_first = as_(SUPERVISOR).search_records({"limit": 2, "classify_by": "user_type"})
    assert newest_first["total"] == 3
    assert [item["title"] for item in newest_first["items"]] == ["Alerts clinic", "Reports workshop"]
    assert newest_first["classes"] == [{"value": "partner", "count": 2}, {"value": "customer", "count": 1}]
    assert newest_first["items"][0]["organisation"] == "Cobol Retail"
    second_page = as_(SUPERVISOR).search_records({"limit": 2, "offset": 2})
    assert len(second_page["items"]) == 1

    def learners(**query):
        return sorted(item["learner_id"] for item in as_(SUPERVISOR).search_records(query)["items"])

    assert learners(user_type="partner", course="alerts") == ["grace-h"]
    assert learners(email="GRACE@example.com") == ["grace-h", "grace-h"]
    assert learners(result="passed") == [ADA_ID]
    assert learners(attendance="absent") == ["grace-h"]
    assert learners(trainer_id="tia") == ["grace-h"]
    assert learners(since=(T0 + DAY).isoformat()) == ["grace-h"]
    assert learners(organisation="Nobody Inc") == []
    by_result = as_(SUPERVISOR).search_records({"classify_by": "result", "course": "reports"})["classes"]
    assert by_result == [{"value": "none", "count": 1}, {"value": "passed", "count": 1}]
    # A trainer finds only the records of their own sessions.
    tia = as_({"id": "tia", "roles": ["trainer"]}).search_records({})
    assert [item["session_id"] for item in tia["items"]] == ["s-2"]
    with pytest.raises(InvalidInput):
        as_(SUPERVISOR).search_records({"sort": "name", "result": "maybe"})


def test_analytics_give_rates_hours_trends_expiry_and_who_never_completed(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    as_(SPECIALIST).register_learner(GRACE)
    today = utc_now()
    send(archive,
         enrolled(ADA_ID, "s-1", T0 - 9 * DAY), enrolled("grace-h", "s-1", T0 - 9 * DAY),
         completed("s-1", [(ADA_ID, "present"), ("grace-h", "absent")], T0 + 3 * HOUR),
         graded(ADA_ID, "s-1", 80.0, T0 + DAY), graded("grace-h", "s-1", 50.0, T0 + DAY),
         graded(ADA_ID, None, 90.0, T0 + 40 * DAY, exam="exam-2", title="Alerts exam"),
         make_certificate(ADA_ID, today, days=20), make_certificate("grace-h", today, days=200))

    report = as_(SUPERVISOR).analytics({"group_by": "user_type"})
    assert report["totals"] == {"enrolments": 2, "completed": 1, "completion_rate": 0.5, "training_hours": 3.0,
                                "results": 3, "passed": 2, "pass_rate": 0.6667, "average_score": 73.33}
    groups = {group["group"]: group for group in report["groups"]}
    assert (groups["customer"]["pass_rate"], groups["partner"]["pass_rate"]) == (1.0, 0.0)
    assert [(entry["group"], entry["period"], entry["results"]) for entry in report["score_trend"]] == [
        ("customer", "2026-03", 1), ("customer", "2026-04", 1), ("partner", "2026-03", 1)]
    assert [(entry["learner_id"], entry["title"]) for entry in report["expiring_certificates"]] == [
        (ADA_ID, "Report builder practitioner")]
    assert report["enrolled_never_completed"] == {"count": 1, "learner_ids": ["grace-h"]}

    by_course = as_(MANAGER).analytics({"group_by": "course"})
    assert {group["group"] for group in by_course["groups"]} == {"Reports workshop", "Alerts exam"}
    assert by_course["expiring_certificates"][0]["learner_id"] is None  # counts, not people, for managers
    assert by_course["enrolled_never_completed"] == {"count": 1, "learner_ids": []}
    by_period = as_(MANAGER).analytics({"group_by": "period", "period": "quarter"})
    assert [group["group"] for group in by_period["groups"]] == ["2026-Q1", "2026-Q2"]
    with pytest.raises(Forbidden):
        as_({"id": "tom", "roles": ["trainer"]}).analytics({})


def make_certificate(learner_id, today, days):
    return certificate(learner_id, today - DAY, (today + timedelta(days=days)).date())


# ---- exports ---------------------------------------------------------------------------------------

def test_exports_transcript_and_xapi_statements(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    send(archive, *full_history(ADA_ID))
    ada = as_(ADA_LEARNER)

    everything = ada.export_archive(ADA_ID)
    assert everything["learner"]["email"] == ADA["email"] and len(everything["records"]) == 2
    assert {entry["action"] for entry in everything["audit"]} >= {"register", "event", "export"}

    csv_file = ada.export_archive_csv(ADA_ID)
    rows = base64.b64decode(csv_file["content_base64"]).decode().splitlines()
    assert csv_file["content_type"].startswith("text/csv")
    assert rows[0].startswith("kind,date,title,session_id")
    assert sorted(row.split(",")[0] for row in rows[1:]) == ["certificate", "result", "result", "training",
                                                            "training"]

    pdf = ada.transcript(ADA_ID)
    assert pdf["content_type"] == "application/pdf"
    assert base64.b64decode(pdf["content_base64"]).startswith(b"%PDF")

    statements = ada.learner_statements(ADA_ID)["statements"]
    verbs = sorted(statement["verb"]["display"]["en-US"] for statement in statements)
    assert verbs == ["attended", "completed", "failed", "passed", "registered"]
    assert all(statement["actor"]["account"]["name"] == ADA_ID for statement in statements)
    assert "mbox" not in str(statements)
    again = as_(SUPERVISOR).list_statements({"limit": 100})
    assert {statement["id"] for statement in again["items"]} == {statement["id"] for statement in statements}


# ---- erasure --------------------------------------------------------------------------------------

def test_erasure_removes_personal_data_keeps_statistics_and_is_published(as_, archive, db, subscriber):
    events = subscriber(archive.config["AMQP_URI"], "archive")
    as_(SPECIALIST).register_learner(ADA)
    send(archive, *full_history(ADA_ID, tag="1"))
    as_(SUPERVISOR).get_archive(ADA_ID, {"reason": "before erasure"})
    statistics = as_(SUPERVISOR).analytics({"group_by": "user_type"})

    receipt = as_(SUPERVISOR).erase_learner(ADA_ID, {"reason": "erasure request #42"})

    erased = events.wait_for("LearnerErased.v1")
    assert (erased["subject"], erased["data"]["learner_id"]) == (ADA_ID, ADA_ID)
    assert receipt["pseudonymised"]["records"] == 2 and receipt["pseudonymised"]["results"] == 2
    wait_until(lambda: not db[LEARNERS].find_one({"_id": receipt["pseudonym"]})["outbox"], message="outbox sent")
    send(archive, erased)  # the archive honours its own event too: nothing left to change
    # The kit's stores (events kept for replay, parked events) forget the learner in their own handler.
    wait_until(lambda: ADA_ID not in raw_store_text(db), message="the kit's stores to forget the learner")
    stored = raw_store_text(db)
    for trace in (ADA_ID, "Lovelace", "Ada", "example.com", ADA["phone"]):
        assert trace not in stored
    assert as_(SUPERVISOR).analytics({"group_by": "user_type"})["groups"] == statistics["groups"]
    with pytest.raises(NotFound):
        as_(SUPERVISOR).get_archive(ADA_ID)
    with pytest.raises(NotFound):
        as_(SUPERVISOR).get_learner(ADA_ID)
    with ServiceRpcProxy("archive", archive.config, context_data=as_service("delivery"), timeout=10) as delivery:
        assert delivery.contact_details({"learner_ids": [ADA_ID]}) == {"items": []}
    # Late events about the learner are dropped; the address is free for someone else.
    send(archive, graded(ADA_ID, "s-late", 99.0, T0 + 9 * DAY))
    assert db[RESULTS].count_documents({"learner_id": ADA_ID}) == 0
    as_(SPECIALIST).register_learner(dict(GRACE, email=ADA["email"]))
    with pytest.raises(Conflict):
        as_(SPECIALIST).register_learner(ADA)
    entry, = as_(AUDITOR).list_audit({"action": "erase"})["items"]
    assert (entry["actor_id"], entry["learner_id"], entry["reason"]) == ("sue", receipt["pseudonym"],
                                                                         "erasure request #42")


def test_concurrent_erasures_have_one_winner_and_one_event(as_, archive, subscriber):
    events = subscriber(archive.config["AMQP_URI"], "archive")
    as_(SPECIALIST).register_learner(ADA)

    def erase(index):
        with rpc_to(archive, {"id": f"sue-{index}", "roles": ["supervisor"]}) as archive_rpc:
            return archive_rpc.erase_learner(ADA_ID, {"reason": "request"})

    outcomes = run_together(4, erase)

    assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1
    assert all(isinstance(outcome, Conflict) for outcome in outcomes if not isinstance(outcome, dict))
    assert len(events.collect(2, where=lambda envelope: envelope["type"] == "LearnerErased.v1")) == 1
    with pytest.raises(Forbidden):
        as_(SPECIALIST).erase_learner("grace-h", {"reason": "request"})


def test_learner_erased_is_honoured_once_for_a_learner_known_from_events(as_, archive, db):
    """The archive's own consumer of LearnerErased.v1 completes an erasure (idempotently)."""
    send(archive, enrolled("bob", "s-1", T0 - DAY), attendance("bob", "s-1", "present", 70, T0 + HOUR))
    erased = make_envelope("LearnerErased.v1", "bob", {"learner_id": "bob", "erased_at": T0 + DAY})

    deliver(archive, "on_learner_erased", "archive", erased, erased)

    assert db[RECORDS].count_documents({"learner_id": "bob"}) == 0
    assert db[RECORDS].count_documents({}) == 1
    assert db[AUDIT].count_documents({"learner_id": "bob"}) == 0
    assert "'bob'" not in raw_store_text(db)


# ---- retention and the plan log -------------------------------------------------------------------

def test_retention_removes_history_and_audit_older_than_their_periods(as_, archive, db):
    old, recent = utc_now() - timedelta(days=400), utc_now() - timedelta(days=10)
    send(archive, enrolled("ada", "s-old", old - DAY, starts=old), enrolled("ada", "s-new", recent - DAY, starts=recent),
         graded("ada", None, 70.0, old, exam="exam-old"), graded("ada", None, 70.0, recent, exam="exam-new"))
    db[AUDIT].update_many({"details.session_id": "s-old"}, {"$set": {"at": old}})

    removed = retention.apply_retention(db, utc_now(), record_days=365, audit_days=365)

    assert (removed[RECORDS], removed[FACTS], removed[RESULTS], removed[AUDIT]) == (1, 1, 1, 1)
    remaining = as_(SUPERVISOR).get_archive("ada")
    assert [record["session_id"] for record in remaining["records"]] == ["s-new"]
    assert [result["exam_id"] for result in remaining["results"]] == ["exam-new"]


def test_each_approved_plan_is_logged_once(as_, archive):
    envelope = make_envelope("PlanApproved.v1", "plan-1", {
        "plan_id": "plan-1", "year": 2027, "title": "Plan", "revision": 1, "approved_by": "mia",
        "approved_at": T0, "items": []})
    deliver(archive, "on_plan_approved", "planning", envelope, envelope)

    log = as_(SPECIALIST).list_plan_log({})
    assert log["total"] == 1 and log["items"][0]["approved_by"] == "mia"
