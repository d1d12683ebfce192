"""End to end through the gateway, with planning, delivery and archive as real processes: a
published plan becomes a session → learners enrol (a full session queues, a cancellation
promotes) → the trainer prepares, checks learners in and records attendance → the session is
completed and a plain kombu subscriber sees SessionCompleted.v1 with the attendance."""
from datetime import date, timedelta

import requests
from icalendar import Calendar

from shared.testing import wait_until
from tests.platform import Api

PLATFORM_SERVICES = ("planning", "delivery", "archive")

SESSION_DAY = date.today() + timedelta(days=10)


def test_published_plan_to_completed_session(platform, subscriber):
    api = Api(platform)
    events = subscriber(platform.amqp_uri, "delivery")

    item = {"title": "Reports workshop", "format": "online", "audience": "administrators", "capacity": 2,
            "topics": ["Reports"], "schedule": {"session_starts": [f"{SESSION_DAY}T09:00"], "duration_minutes": 120,
                                                "timezone": "Europe/Berlin"}}
    plan = api("POST", "/plans", "specialist", "sam", expect=201,
               json={"year": SESSION_DAY.year, "title": "Plan", "goals": ["Fewer tickets"], "items": [item]})
    api("POST", f"/plans/{plan['id']}/submit", "specialist", "sam")
    api("POST", f"/plans/{plan['id']}/approve", "manager", "mia", json={})
    api("POST", f"/plans/{plan['id']}/publish", "supervisor", "sue", json={"channels": ["notice"]})

    session, = wait_until(lambda: api("GET", f"/sessions?plan_id={plan['id']}", "supervisor")["items"], 30,
                          message="delivery to schedule the plan's session")
    assert (session["title"], session["format"], session["capacity"]) == ("Reports workshop", "online", 2)
    assert session["starts_at"].startswith(f"{SESSION_DAY}T08:00") or session["starts_at"].startswith(
        f"{SESSION_DAY}T07:00")  # 09:00 in Berlin, summer or winter time
    url = f"/sessions/{session['id']}"

    # Learners enrol themselves; the third waits, and takes the seat the second gives up.
    for name, status in (("ada", "enrolled"), ("bob", "enrolled"), ("cy", "waiting")):
        assert api("POST", f"{url}/enrolments", "learner", name, expect=201, json={})["status"] == status
    # Staff enrol registered learners by CSV: the archive's LearnerRegistered.v1 makes them known.
    registered = subscriber(platform.amqp_uri, "archive")
    api("POST", "/learners", "specialist", "sam", expect=201, json={
        "learner_id": "dan", "first_name": "Dan", "last_name": "Brown", "email": "dan@example.com",
        "organisation": "Retail Co", "user_type": "customer"})
    dan = registered.wait_for("LearnerRegistered.v1")["data"]["learner_id"]
    csv = f"learner_id\n{dan}\n".encode()
    imported = wait_until(lambda: (response := requests.post(
        f"{platform.url}/api/v1{url}/enrolments/import", data=csv, timeout=10,
        headers={**platform.auth("specialist", "sam"), "Content-Type": "text/csv"})).status_code == 201
        and response.json(), 15, message="delivery to know the registered learner")
    assert imported["waiting"] == [dan]
    api("POST", f"{url}/enrolments/ada/cancel", "learner", "bob", expect=403, json={})
    api("GET", f"{url}/enrolments", "learner", "ada", expect=403)
    api("POST", f"{url}/enrolments/bob/cancel", "learner", "bob", json={"reason": "holiday"})
    mine = api("GET", "/enrolments", "learner", "cy")["items"][0]
    assert (mine["status"], mine["from_waiting_list"], mine["session"]["id"]) == ("enrolled", True, session["id"])
    assert [entry["learner_id"] for entry in api("GET", f"{url}/waiting-list", "supervisor")["items"]] == [dan]

    # A trainer is assigned; the supervisor declares it ready without the platform test.
    api("POST", f"{url}/reschedule", "supervisor", "sue", json={"trainer_ids": ["tom"], "reason": "trainer assigned"})
    refused = api("POST", f"{url}/ready", "trainer", "tom", expect=409, json={})
    assert "platform_test" in refused["error"]["details"]["missing"]
    api("POST", f"{url}/ready", "supervisor", "sue", json={"override_reason": "link checked by phone"})

    # Running it: self check-in, attendance, then completion.
    code = api("POST", f"{url}/check-in-code", "trainer", "tom", expect=201)["code"]
    assert api("POST", f"{url}/check-in", "learner", "ada", json={"code": code})["attendance"]["status"] == "present"
    api("POST", f"{url}/start", "trainer", "tom")
    api("POST", f"{url}/attendance", "trainer", "tia", expect=403, json={"records": [
        {"learner_id": "cy", "status": "late"}]})
    api("POST", f"{url}/attendance", "trainer", "tom", json={"records": [
        {"learner_id": "cy", "status": "late", "participation_score": 60}]})
    api("POST", f"{url}/interactions", "learner", "cy", expect=201, json={"kind": "question", "text": "Exports?"})
    api("PUT", f"{url}/record", "trainer", "tom", json={"content_covered": ["Reports"], "trainer_notes": "Fine"})
    completed = api("POST", f"{url}/complete", "trainer", "tom")
    assert completed["status"] == "completed"

    envelope = events.wait_for("SessionCompleted.v1", timeout=30, where=lambda e: e["subject"] == session["id"])
    assert envelope["data"]["plan_id"] == plan["id"] and envelope["data"]["trainer_ids"] == ["tom"]
    assert envelope["data"]["attendance"] == [
        {"learner_id": "ada", "status": "present", "participation_score": None},
        {"learner_id": "cy", "status": "late", "participation_score": 60}]

    feed = requests.get(f"{platform.url}/api/v1/calendars/learners/ada.ics", headers=platform.auth("learner", "ada"),
                        timeout=10)
    assert feed.headers["Content-Type"].startswith("text/calendar")
    event, = Calendar.from_ical(feed.text).walk("VEVENT")
    assert str(event["UID"]) == f"{session['id']}@training-platform" and int(event["SEQUENCE"]) == 1
    api("GET", "/calendars/learners/ada.ics", "learner", "bob", expect=403)
    # A calendar program subscribes through ada's secret link, with no token; revoked, it is gone.
    link = api("POST", "/calendars/links", "learner", "ada", expect=201, json={"kind": "learner"})
    subscribed = requests.get(link["url"], timeout=10)
    assert subscribed.status_code == 200 and subscribed.headers["Content-Type"].startswith("text/calendar")
    assert str(Calendar.from_ical(subscribed.text).walk("VEVENT")[0]["UID"]) == f"{session['id']}@training-platform"
    api("DELETE", "/calendars/links/learner", "learner", "ada", expect=204)
    assert requests.get(link["url"], timeout=10).status_code == 404
