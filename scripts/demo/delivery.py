"""Demo sessions: an upcoming one, full, with a waiting list; one running now with learners
checked in; one completed yesterday with attendance, questions and its record. The published
plan's own sessions arrive by themselves (PlanPublished.v1)."""
import sys
from datetime import datetime, timedelta, timezone

import requests

from gateway.tokens import mint

TRAINER = "demo.trainer"
LEARNERS = ("ada.lovelace", "grace.hopper", "alan.turing", "katherine.johnson", "edsger.dijkstra")


def load(client):
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    plan = client.shared.get("plan")
    item = plan["items"][0] if plan else {}

    upcoming = schedule(client, "Platform basics for administrators (cohort 1)", "online",
                        now.replace(hour=9, minute=0) + timedelta(days=21), capacity=3, min_participants=2,
                        online_url="https://meet.example.com/platform-basics", plan_id=plan and plan["id"],
                        item_id=item.get("item_id"))
    for learner in LEARNERS:  # three seats, then the waiting list
        client.post(f"/sessions/{upcoming['id']}/enrolments", {}, "learner", learner)
    client.post(f"/sessions/{upcoming['id']}/checklist/materials", {"done": True, "note": "slides v3"}, "trainer",
                TRAINER)

    running = schedule(client, "Data privacy settings (workshop)", "classroom", now - timedelta(minutes=5),
                       capacity=10, venue="Training room 2")
    prepare_and_start(client, running, LEARNERS[:4], checked_in=LEARNERS[:3])
    client.post(f"/sessions/{running['id']}/interactions", {"kind": "question", "text": "Where is the audit log?"},
                "learner", LEARNERS[0])

    completed = schedule(client, "Advanced reporting workshop (pilot)", "case_study", now - timedelta(days=1),
                         capacity=8, venue="Training room 1")
    prepare_and_start(client, completed, LEARNERS[:4], checked_in=())
    client.post(f"/sessions/{completed['id']}/attendance", {"records": [
        {"learner_id": LEARNERS[0], "status": "present", "participation_score": 90},
        {"learner_id": LEARNERS[1], "status": "present", "participation_score": 75},
        {"learner_id": LEARNERS[2], "status": "late", "participation_score": 60, "notes": "joined at 10:20"},
        {"learner_id": LEARNERS[3], "status": "excused"}]}, "trainer", TRAINER)
    question = client.post(f"/sessions/{completed['id']}/interactions",
                           {"kind": "question", "text": "Can a report be scheduled weekly?"}, "learner", LEARNERS[1])
    client.post(f"/sessions/{completed['id']}/interactions", {
        "kind": "answer", "text": "Yes: Schedule, Weekly, pick the day.", "in_reply_to": question["id"]},
        "trainer", TRAINER)
    put(client, f"/sessions/{completed['id']}/record", {
        "content_covered": ["Report builder", "Calculated fields", "Scheduling"],
        "deviations": "Dashboards moved to the next session: the group needed more time on formulas.",
        "incidents": ["Projector restarted once (10 minutes)."], "trainer_notes": "Strong group; repeat the case."})
    client.post(f"/sessions/{completed['id']}/complete", {}, "trainer", TRAINER)
    client.shared["sessions"] = {"upcoming": upcoming, "running": running, "completed": completed}


def schedule(client, title, format, starts_at, capacity, min_participants=None, **place):
    return client.post("/sessions", {
        "title": title, "format": format, "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=3)).isoformat(), "timezone": "Europe/Berlin", "capacity": capacity,
        "min_participants": min_participants, "trainer_ids": [TRAINER], "topics": [title.split(" (")[0]],
        **{key: value for key, value in place.items() if value}}, "supervisor")


def prepare_and_start(client, session, learners, checked_in):
    for learner in learners:
        client.post(f"/sessions/{session['id']}/enrolments", {}, "learner", learner)
    client.post(f"/sessions/{session['id']}/ready", {"override_reason": "room and kit confirmed by the facilities desk"},
                "supervisor")
    code = client.post(f"/sessions/{session['id']}/check-in-code", {}, "trainer", TRAINER)["code"]
    for learner in checked_in:
        client.post(f"/sessions/{session['id']}/check-in", {"code": code}, "learner", learner)
    client.post(f"/sessions/{session['id']}/start", {}, "trainer", TRAINER)


def put(client, path, body):
    response = requests.put(f"{client.gateway}/api/v1{path}", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {mint(['trainer'], TRAINER)}"})
    if not response.ok:
        sys.exit(f"demo data: PUT {path} failed: {response.status_code} {response.text}")
