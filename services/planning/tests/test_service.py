"""Interface tests of planning through its real entrypoints, real broker and real store."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from nameko.testing.services import entrypoint_waiter

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope, utc_now
from shared.notifications import notifier_from_env
from shared.publisher import EventPublisher
from shared.testing import deliver, free_port, run_together, wait_until

from services.planning import publishing
from services.planning.service import PlanningService
from services.planning.store import NOTICES, PLANS

AUTHOR = {"id": "sam", "roles": ["specialist"]}
MANAGER = {"id": "mia", "roles": ["manager"]}
FIRST_SESSION = date.today() + timedelta(days=30)
YEAR = FIRST_SESSION.year
NEED = {"topic": "Report builder", "product": "Analytics", "source": "sales", "urgency": "high",
        "audience": {"user_type": "administrator", "industry": "retail"}, "evidence": "asked at renewal"}


def plan_body(**item_overrides):
    return {"year": YEAR, "title": f"Customer plan {YEAR}", "goals": ["Fewer tickets"], "items": [dict({
        "title": "Reports workshop", "format": "classroom", "audience": "retail administrators",
        "topics": ["Report builder"], "capacity": 16, "trainers_wanted": 1, "important": True,
        "schedule": {"session_starts": [f"{FIRST_SESSION.isoformat()}T09:00"], "duration_minutes": 180,
                     "timezone": "Europe/Berlin"}}, **item_overrides)]}


@pytest.fixture
def container(running_service):
    return running_service(PlanningService, PLAN_MIN_NOTICE_DAYS=14)


@pytest.fixture
def planning(container):
    return container.config


@pytest.fixture
def as_(container, rpc_as):
    """as_(caller): planning's RPC, called by `caller`."""
    return lambda caller: rpc_as(container, caller)


def published_plan(as_, channels):
    plan = as_(AUTHOR).create_plan(plan_body())
    as_(AUTHOR).submit_plan(plan["id"])
    as_(MANAGER).approve_plan(plan["id"], {})
    return as_(AUTHOR).publish_plan(plan["id"], {"channels": channels, "email_to": ["ada@example.com"]})


def test_similar_needs_merge_and_each_request_is_published(as_, planning, subscriber):
    events = subscriber(planning["AMQP_URI"], "planning")
    first = as_(AUTHOR).record_need(NEED)
    merged = as_(AUTHOR).record_need(dict(NEED, topic="report  BUILDER", source="customer_service",
                                    urgency="critical", flags=["compliance"], evidence="support call"))
    as_(AUTHOR).record_need({"topic": "Exports", "source": "interview", "urgency": "low"})
    backlog = as_(AUTHOR).list_needs({})
    by_source = as_(AUTHOR).list_needs({"source": "customer_service"})

    assert merged["id"] == first["id"]
    assert (merged["requesters"], merged["urgency"], merged["flags"]) == (2, "critical", ["compliance"])
    assert sorted(merged["sources"]) == ["customer_service", "sales"]
    assert [evidence["text"] for evidence in merged["evidence"]] == ["asked at renewal", "support call"]
    assert [need["topic"] for need in backlog["items"]] == ["Report builder", "Exports"]
    assert by_source["total"] == 1
    recorded = events.wait_for("NeedRecorded.v1", where=lambda envelope: envelope["data"]["merged"])
    assert recorded["subject"] == first["id"]
    assert (recorded["data"]["requesters"], recorded["data"]["urgency"]) == (2, "critical")


def test_questionnaire_import_is_all_or_nothing_and_repeatable(as_, planning):
    good = "topic,product,user_type,urgency,comment\nDashboards,Analytics,analyst,high,Too many clicks\n" \
           "dashboards,Analytics,analyst,medium,Same here\nAlerts,Monitoring,,low,\n"
    with pytest.raises(InvalidInput) as refused:
        as_(AUTHOR).import_questionnaire(good + ",Monitoring,,low,missing topic\nX,,,someday,\n")
    assert set(refused.value.details["rows"]) == {"5", "6"}
    assert as_(AUTHOR).list_needs({})["total"] == 0

    imported = as_(AUTHOR).import_questionnaire(good)
    again = as_(AUTHOR).import_questionnaire(good)
    needs = {need["topic"]: need for need in as_(AUTHOR).list_needs({"source": "questionnaire"})["items"]}

    assert (imported["rows"], len(imported["need_ids"])) == (3, 2)
    assert again["need_ids"] == imported["need_ids"]
    assert needs["Dashboards"]["requesters"] == 2 and needs["Alerts"]["requesters"] == 1


def test_weak_exam_topics_become_needs_once(as_, planning, container):
    envelope = make_envelope("ExamGraded.v1", "sub-1", {
        "submission_id": "sub-1", "exam_id": "exam-1", "learner_id": "learner-1", "session_id": "session-1",
        "score": 40.0, "pass_score": 60, "passed": False, "weak_topics": ["Filters"],
        "graded_at": datetime(2026, 3, 1, tzinfo=timezone.utc), "method": "online"})
    deliver(container, "on_exam_graded", "assessment", envelope, envelope)

    need, = as_(AUTHOR).list_needs({"source": "exam_results"})["items"]
    assert (need["topic"], need["requesters"], need["urgency"]) == ("Filters", 1, "high")
    assert "learner-1" not in need["evidence"][0]["text"]


def test_evaluations_improvement_actions_and_expiring_certificates_become_needs(as_, planning, container):
    now = datetime.now(timezone.utc)
    deliver(container, "on_evaluation_completed", "feedback", make_envelope("EvaluationCompleted.v2", "ev-1", {
        "evaluation_id": "ev-1", "scope": "session", "session_id": "session-1", "weak_topics": ["Alerting"],
        "levels": [{"level": 3, "score": 55.0, "summary": "supervisors see little change"}], "completed_at": now}))
    action = make_envelope("ImprovementActionRaised.v1", "act-1", {
        "action_id": "act-1", "topic": "Dashboards", "description": "Learners cannot share dashboards",
        "urgency": "high", "product": "Analytics", "raised_at": now})
    deliver(container, "on_improvement_action_raised", "feedback", action, action)
    deliver(container, "on_certificate_expiring", "assessment", make_envelope("CertificateExpiring.v1", "cert-1", {
        "certificate_id": "cert-1", "learner_id": "ada", "topic": "Safety",
        "expires_at": now.date() + timedelta(days=10)}))

    needs = {need["sources"][0]: need for need in as_(AUTHOR).list_needs({})["items"]}
    assert len(needs) == 3
    assert needs["evaluation"]["topic"] == "Alerting"
    assert (needs["improvement_action"]["topic"], needs["improvement_action"]["urgency"],
            needs["improvement_action"]["requesters"]) == ("Dashboards", "high", 1)
    assert (needs["recertification"]["topic"], needs["recertification"]["urgency"]) == (
        "Recertification: Safety", "high")
    assert "ada" not in str(needs["recertification"]["evidence"])


def test_plan_rules_refuse_bad_schedules_and_write_nothing(as_, planning):
    with pytest.raises(InvalidInput) as refused:
        as_(AUTHOR).create_plan(plan_body(schedule={"session_starts": [f"{date.today() + timedelta(days=3)}T09:00"],
                                              "duration_minutes": 60, "timezone": "UTC"}))
    assert "14 days ahead" in refused.value.details["fields"]["items"]["0"]["schedule"][0]
    with pytest.raises(InvalidInput) as unknown_need:
        as_(AUTHOR).create_plan(plan_body(linked_needs=["need-missing"]))
    assert "need-missing" in unknown_need.value.details["fields"]["items"]["0"]["linked_needs"][0]
    assert as_(AUTHOR).list_plans({})["total"] == 0


def test_working_hours_draw_a_warning(as_, planning):
    hours = {"weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "08:00", "end": "18:00"}
    plan = as_(AUTHOR).create_plan(plan_body(audience_working_hours=hours))
    assert [warning["rule"] for warning in plan["warnings"]] == ["working_hours"]
    assert plan["warnings"][0]["item_id"] == plan["items"][0]["item_id"]


def test_workflow_reject_revise_approve_publish(as_, planning, subscriber, smtp_server, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    events = subscriber(planning["AMQP_URI"], "planning")
    need = as_(AUTHOR).record_need(NEED)
    plan = as_(AUTHOR).create_plan(plan_body(linked_needs=[need["id"]]))
    plan_id, item_id = plan["id"], plan["items"][0]["item_id"]
    with pytest.raises(Conflict) as early:
        as_(MANAGER).approve_plan(plan_id, {})
    assert early.value.details["status"] == "draft"

    as_(AUTHOR).submit_plan(plan_id)
    assert events.wait_for("PlanSubmitted.v1")["data"]["revision"] == 1
    as_(MANAGER).reject_plan(plan_id, {"comment": "Add an online option"})
    assert events.wait_for("PlanRejected.v1")["data"]["comment"] == "Add an online option"
    with pytest.raises(Conflict):
        as_(AUTHOR).publish_plan(plan_id, {})

    revised_body = plan_body()
    revised_body["items"][0]["item_id"] = item_id
    revised_body["items"].append({"title": "Reports online", "format": "online", "audience": "analysts",
                                  "quarter": 1 if YEAR > date.today().year else 4})
    revised = as_(AUTHOR).revise_plan(plan_id, dict({key: revised_body[key] for key in ("title", "goals", "items")},
                                              comment="online option added"))
    assert (revised["status"], revised["revision"]) == ("draft", 2)
    assert revised["items"][0]["item_id"] == item_id and revised["items"][1]["item_id"] != item_id
    assert revised["revisions"][0]["revision"] == 1 and revised["revisions"][0]["status"] == "rejected"

    as_(AUTHOR).submit_plan(plan_id)
    with pytest.raises(Forbidden):
        as_({"id": "sam", "roles": ["manager", "specialist"]}).approve_plan(plan_id, {})
    approved = as_(MANAGER).approve_plan(plan_id, {"comment": "Go"})
    assert approved["status"] == "approved"
    assert events.wait_for("PlanApproved.v1")["data"]["revision"] == 2

    published = as_(AUTHOR).publish_plan(plan_id, {"channels": ["notice", "email", "sms"],
                                             "email_to": ["ada@example.com"], "note": "Join us"})
    assert published["status"] == "published"
    envelope = events.wait_for("PlanPublished.v1")

    def announced():
        found = as_(AUTHOR).get_plan(plan_id)
        return found if len(found["publication"]["deliveries"]) == 3 else None

    plan = wait_until(announced, message="a delivery record per channel")
    notices = as_(AUTHOR).list_notices({})

    assert envelope["data"]["channels"] == ["notice", "email", "sms"]
    first = envelope["data"]["items"][0]
    assert (first["item_id"], first["important"], first["topics"]) == (item_id, True, ["Report builder"])
    assert first["schedule"]["timezone"] == "Europe/Berlin" and len(first["schedule"]["sessions"]) == 1
    deliveries = plan["publication"]["deliveries"]
    assert {name: delivery["status"] for name, delivery in deliveries.items()} == {
        "notice": "sent", "email": "sent", "sms": "skipped"}
    assert notices["items"][0]["reference"] == plan_id and "Join us" in notices["items"][0]["text"]
    mail, = smtp_server.messages()
    assert mail["Subject"] == f"Training plan {YEAR}: Customer plan {YEAR}"
    assert [(entry["action"], entry["by"], entry["revision"]) for entry in plan["history"]] == [
        ("created", "sam", 1), ("submitted", "sam", 1), ("rejected", "mia", 1), ("revised", "sam", 2),
        ("submitted", "sam", 2), ("approved", "mia", 2), ("published", "sam", 2)]


def test_coverage_shows_addressed_and_open_needs(as_, planning):
    addressed = as_(AUTHOR).record_need(NEED)
    left_open = as_(AUTHOR).record_need({"topic": "Alerts", "source": "marketing"})
    plan = as_(AUTHOR).create_plan(plan_body())
    report = as_(AUTHOR).plan_coverage(plan["id"])

    assert [entry["need_id"] for entry in report["covered"]] == [addressed["id"]]
    assert report["covered"][0]["matched_by"] == "topic"
    assert [entry["need_id"] for entry in report["open"]] == [left_open["id"]]


def test_a_published_plan_that_changes_is_approved_again_and_announced_as_an_update(as_, 
        planning, subscriber, smtp_server, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    events = subscriber(planning["AMQP_URI"], "planning")
    plan_id = published_plan(as_, channels=["email"])["id"]
    wait_until(lambda: len(smtp_server.messages()) == 1, message="the first announcement")

    changed = plan_body()
    changed["items"][0]["capacity"] = 24
    revised = as_(AUTHOR).revise_plan(plan_id, dict({key: changed[key] for key in ("title", "goals", "items")},
                                              comment="more seats"))
    assert (revised["status"], revised["revision"]) == ("draft", 2)
    as_(AUTHOR).submit_plan(plan_id)
    as_(MANAGER).approve_plan(plan_id, {})
    as_(AUTHOR).publish_plan(plan_id, {"channels": ["email"], "email_to": ["ada@example.com"]})

    envelope = events.wait_for("PlanPublished.v1", where=lambda e: e["data"]["revision"] == 2)
    assert envelope["data"]["items"][0]["capacity"] == 24
    first, update = wait_until(lambda: sorted(smtp_server.messages(), key=lambda m: len(m["Subject"]))
                               if len(smtp_server.messages()) == 2 else None, message="the update's email")
    assert update["Subject"] == f"{first['Subject']} (updated)"
    assert "has changed" in update.get_payload()


def test_failed_channels_are_retried_until_they_succeed(as_, planning, store, smtp_server, monkeypatch):
    # The SMTP server is not there when the plan is published: the email fails and is reported.
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))
    monkeypatch.setenv("NOTIFY_BACKOFF_SECONDS", "0")
    plan_id = published_plan(as_, channels=["notice", "email"])["id"]
    failed = wait_until(lambda: (found := as_(AUTHOR).get_plan(plan_id))["publication"]["deliveries"].get("email")
                        and found, message="the failed email to be reported")
    assert failed["publication"]["deliveries"]["email"]["status"] == "failed"

    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))  # the mail server is back
    db = store(planning, "planning")
    notifier = notifier_from_env(notices=db[NOTICES])
    assert publishing.retry_failed_announcements(db, notifier, utc_now()) == [plan_id]
    assert publishing.retry_failed_announcements(db, notifier, utc_now()) == []  # nothing failed any more

    plan = db[PLANS].find_one({"_id": plan_id})
    assert {name: delivery["status"] for name, delivery in plan["publication"]["deliveries"].items()} == {
        "notice": "sent", "email": "sent"}
    assert plan["publication"]["retry_rounds"] == 1
    assert len(smtp_server.messages()) == 1
    assert len(list(db[NOTICES].find())) == 1  # the notice was not posted twice


def test_ten_weak_results_arriving_at_once_merge_into_one_need_losing_nothing(as_, container):
    """Ten ExamGraded.v1 events on one weak topic, handled concurrently by the service's workers."""
    graded = [make_envelope("ExamGraded.v1", f"sub-{n}", {
        "submission_id": f"sub-{n}", "exam_id": "exam-1", "learner_id": f"learner-{n}", "session_id": "session-1",
        "score": 40.0, "pass_score": 60, "passed": False, "weak_topics": ["Filters"],
        "graded_at": datetime(2026, 3, 1, tzinfo=timezone.utc), "method": "online"}) for n in range(10)]
    handled = []
    publisher = EventPublisher(container.config["AMQP_URI"], "assessment")
    try:
        with entrypoint_waiter(container, "on_exam_graded", timeout=30,
                               callback=lambda *args: handled.append(1) or len(handled) == len(graded)):
            for envelope in graded:
                publisher.publish(envelope)
    finally:
        publisher.close()

    need, = as_(AUTHOR).list_needs({"source": "exam_results"})["items"]
    assert need["requesters"] == 10
    assert len(need["evidence"]) == 10


def approved_plan(as_, **item):
    plan = as_(AUTHOR).create_plan(plan_body(**item))
    as_(AUTHOR).submit_plan(plan["id"])
    as_(MANAGER).approve_plan(plan["id"], {"comment": "internal remark"})
    return plan


def test_an_announcement_sent_by_many_workers_at_once_goes_out_once(as_, container, store, smtp_server,
                                                                    monkeypatch):
    db = store(container.config, "planning")
    plan = approved_plan(as_)
    # Published straight in the store, so the service's own handler does not race the test.
    publication = {"by": "sam", "at": utc_now(), "channels": ["email", "notice"], "note": "",
                   "recipients": {"email": ["ada@example.com"], "sms": []}, "deliveries": {}}
    db[PLANS].update_one({"_id": plan["id"]}, {"$set": {"status": "published", "publication": publication}})
    notifier = notifier_from_env(notices=db[NOTICES], environ={"SMTP_HOST": "127.0.0.1",
                                                               "SMTP_PORT": str(smtp_server.port)})

    run_together(8, lambda _: publishing.announce(db, plan["id"], plan["revision"], notifier, utc_now()))

    assert len(smtp_server.messages()) == 1
    assert db[NOTICES].count_documents({}) == 1
    deliveries = db[PLANS].find_one({"_id": plan["id"]})["publication"]["deliveries"]
    assert {channel: delivery["status"] for channel, delivery in deliveries.items()} == {"email": "sent",
                                                                                           "notice": "sent"}


def test_an_announcement_redelivered_after_a_crash_is_not_sent_again(as_, container, store, smtp_server,
                                                                     subscriber, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    events = subscriber(container.config["AMQP_URI"], "planning", "PlanPublished.v1")
    db = store(container.config, "planning")
    plan = approved_plan(as_)
    with entrypoint_waiter(container, "announce_published_plan", timeout=30):
        as_(AUTHOR).publish_plan(plan["id"], {"channels": ["email"], "email_to": ["ada@example.com"]})
    envelope = events.wait_for("PlanPublished.v1")
    assert len(smtp_server.messages()) == 1

    # A crash after the email went out but before the ledger recorded the event: the broker
    # delivers it again, and this time the ledger does not know it.
    db["applied_events"].delete_many({"handler": "planning.announce-published-plans"})
    deliver(container, "announce_published_plan", "planning", envelope)

    assert len(smtp_server.messages()) == 1
    assert as_(AUTHOR).get_plan(plan["id"])["publication"]["deliveries"]["email"]["status"] == "sent"


def test_learners_see_only_published_offerings_never_the_workings(as_):
    learner = {"id": "ada", "roles": ["learner"]}
    draft = as_(AUTHOR).create_plan(plan_body())
    approved = approved_plan(as_)
    published = approved_plan(as_)
    as_(AUTHOR).publish_plan(published["id"], {"channels": ["notice"]})

    listed = as_(learner).list_plans({})
    assert [plan["id"] for plan in listed["items"]] == [published["id"]]
    offering = as_(learner).get_plan(published["id"])
    assert set(offering) == {"id", "year", "title", "goals", "items", "revision", "published_at"}
    assert "internal remark" not in json.dumps(offering) and "sam" not in json.dumps(offering)
    assert "linked_needs" not in offering["items"][0]
    for hidden in (draft["id"], approved["id"]):
        with pytest.raises(NotFound):
            as_(learner).get_plan(hidden)
    with pytest.raises(Forbidden):
        as_(learner).plan_coverage(published["id"])

    # While the published plan is being revised, learners keep seeing what was published.
    revision = plan_body()
    as_(AUTHOR).revise_plan(published["id"], dict({key: revision[key] for key in ("goals", "items")},
                                                  title="Draft of next year", comment="rework"))
    assert as_(learner).get_plan(published["id"])["title"] == f"Customer plan {YEAR}"
