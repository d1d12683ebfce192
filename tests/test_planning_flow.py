"""End to end through the gateway, with planning as a real process: needs → plan → submit →
reject → revise → approve → publish → the email arrives at a local SMTP server and an outside
subscriber sees PlanPublished.v1."""
from datetime import date, timedelta

import pytest
import requests

from shared.testing import SmtpSink, free_port, run_together, wait_until
from tests.platform import Api

SMTP_PORT = free_port()
PLATFORM_SERVICES = ("planning",)
PLATFORM_ENV = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": SMTP_PORT, "SMTP_FROM": "training@example.com",
                "NOTIFY_BACKOFF_SECONDS": "0.1"}

SESSION_DAY = date.today() + timedelta(days=30)
YEAR = SESSION_DAY.year


@pytest.fixture(scope="module")
def smtp_sink(tmp_path_factory):
    sink = SmtpSink(tmp_path_factory.mktemp("mail") / "maildir", port=SMTP_PORT)
    yield sink
    sink.stop()


def test_needs_to_published_plan(platform, smtp_sink, subscriber):
    api = Api(platform)
    events = subscriber(platform.amqp_uri, "planning")

    # Needs research: two sources ask for the same thing, a questionnaire adds more.
    need = api("POST", "/needs", "specialist", "sam", expect=201, json={
        "topic": "Report builder", "product": "Analytics", "source": "sales", "urgency": "high",
        "audience": {"user_type": "administrator"}, "evidence": "renewal call"})
    api("POST", "/needs", "trainer", "tom", expect=201, json={
        "topic": "report builder", "product": "Analytics", "source": "customer_service",
        "audience": {"user_type": "Administrator"}})
    bad_csv = "topic,urgency\nAlerts,soon\n"
    refused = api("POST", "/needs/import", "specialist", "sam", expect=422, data=bad_csv,
                  headers={"Content-Type": "text/csv"})
    assert refused["error"]["details"]["rows"]["2"]["urgency"]
    imported = api("POST", "/needs/import", "specialist", "sam", expect=201,
                   files={"file": ("survey.csv", b"topic,product,urgency\nAlerts,Monitoring,low\n", "text/csv")})
    assert imported["rows"] == 1
    backlog = api("GET", "/needs", "manager")
    ranked = [(entry["topic"], entry["requesters"]) for entry in backlog["items"]]
    assert ranked == [("Report builder", 2), ("Alerts", 1)]
    api("GET", "/needs", "learner", expect=403)

    # Draft, submit, reject.
    item = {"title": "Reports workshop", "format": "classroom", "audience": "administrators", "capacity": 16,
            "important": True, "linked_needs": [need["id"]],
            "schedule": {"session_starts": [f"{SESSION_DAY}T09:00"], "duration_minutes": 180, "timezone": "UTC"}}
    plan = api("POST", "/plans", "specialist", "sam", expect=201,
               json={"year": YEAR, "title": f"Plan {YEAR}", "goals": ["Fewer tickets"], "items": [item]})
    plan_url = f"/plans/{plan['id']}"
    conflict = api("POST", f"{plan_url}/approve", "manager", "mia", expect=409, json={})
    assert conflict["error"]["details"]["status"] == "draft"
    api("POST", f"{plan_url}/submit", "specialist", "sam")
    api("POST", f"{plan_url}/approve", "learner", "lee", expect=403, json={})
    api("POST", f"{plan_url}/reject", "manager", "mia", json={"comment": "Add dashboards"})

    # Revise as revision 2, resubmit, approve (not by its author), publish.
    revision = {"title": f"Plan {YEAR}", "goals": ["Fewer tickets"], "comment": "dashboards added",
                "items": [dict(item, item_id=plan["items"][0]["item_id"]),
                          {"title": "Dashboards online", "format": "online", "audience": "analysts"}]}
    revised = api("POST", f"{plan_url}/revise", "specialist", "sam", json=revision)
    assert (revised["status"], revised["revision"]) == ("draft", 2)
    api("POST", f"{plan_url}/submit", "specialist", "sam")
    api("POST", f"{plan_url}/approve", "manager", "sam", expect=403, json={})
    api("POST", f"{plan_url}/approve", "manager", "mia", json={"comment": "Approved"})
    published = api("POST", f"{plan_url}/publish", "supervisor", "sue",
                    json={"channels": ["notice", "email"], "email_to": ["ada@example.com"]})
    assert published["status"] == "published"
    api("POST", f"{plan_url}/publish", "supervisor", "sue", expect=409, json={})

    envelope = events.wait_for("PlanPublished.v1", where=lambda body: body["subject"] == plan["id"])
    assert events.last_routing_key == "PlanPublished.v1"
    assert envelope["data"]["revision"] == 2
    assert [entry["title"] for entry in envelope["data"]["items"]] == ["Reports workshop", "Dashboards online"]
    assert envelope["data"]["items"][0]["schedule"]["sessions"][0]["starts_at"].startswith(f"{SESSION_DAY}T09:00")

    mail, = wait_until(smtp_sink.messages, 30, 0.2, "the plan's email")
    assert mail["Subject"] == f"Training plan {YEAR}: Plan {YEAR}"
    assert mail["X-RcptTo"] == "ada@example.com"
    assert "Reports workshop" in mail.get_payload()

    def recorded_deliveries():
        deliveries = api("GET", plan_url, "auditor")["publication"]["deliveries"]
        return deliveries if len(deliveries) == 2 else None

    deliveries = wait_until(recorded_deliveries, 30, 0.2, "a delivery record per channel")
    assert {name: entry["status"] for name, entry in deliveries.items()} == {"email": "sent", "notice": "sent"}
    assert api("GET", "/notices", "learner")["items"][0]["reference"] == plan["id"]
    history = api("GET", plan_url, "auditor")["history"]
    assert [entry["action"] for entry in history] == [
        "created", "submitted", "rejected", "revised", "submitted", "approved", "published"]

    coverage = api("GET", f"{plan_url}/coverage", "manager")
    assert [entry["need_id"] for entry in coverage["covered"]] == [need["id"]]
    assert [entry["topic"] for entry in coverage["open"]] == ["Alerts"]


def test_managers_deciding_at_the_same_moment_get_one_decision_and_one_event(platform, subscriber):
    """Eight managers approve or reject one submitted plan at once: one 200, seven 409 with the
    state they lost to, and exactly one decision event published."""
    api = Api(platform)
    events = subscriber(platform.amqp_uri, "planning")
    item = {"title": "Alerts clinic", "format": "online", "audience": "operators"}
    plan = api("POST", "/plans", "specialist", "sam", expect=201,
               json={"year": YEAR, "title": f"Race {YEAR}", "goals": ["Fewer outages"], "items": [item]})
    api("POST", f"/plans/{plan['id']}/submit", "specialist", "sam")

    def decide(index):
        action, body = ("approve", {}) if index % 2 else ("reject", {"comment": "not now"})
        return requests.post(f"{platform.url}/api/v1/plans/{plan['id']}/{action}", json=body, timeout=10,
                             headers=platform.auth("manager", f"manager-{index}"))

    responses = run_together(8, decide)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * 7
    decided = api("GET", f"/plans/{plan['id']}", "auditor")
    assert decided["status"] in ("approved", "rejected")
    assert all(response.json()["error"]["details"]["status"] == decided["status"]
               for response in responses if response.status_code == 409)

    decision_type = "PlanApproved.v1" if decided["status"] == "approved" else "PlanRejected.v1"
    events.wait_for(decision_type, where=lambda body: body["subject"] == plan["id"])
    late = events.collect(2.0, where=lambda body: body["subject"] == plan["id"]
                          and body["type"] in ("PlanApproved.v1", "PlanRejected.v1"))
    assert late == []
