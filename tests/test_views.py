"""Views across services through the real gateway and all services: the dashboard per role, a
learner's and a session's overview, and what happens when a service is down or stalls."""
import os
import signal
from datetime import date, timedelta

import requests

YEAR = (date.today() + timedelta(days=40)).year


def get(platform, path, role, subject=None):
    response = requests.get(f"{platform.url}/api/v1{path}", headers=platform.auth(role, subject), timeout=20)
    assert response.status_code == 200, response.text
    return response.json()


def test_each_role_sees_its_own_dashboard(platform):
    item = {"title": "Dashboards", "format": "online", "audience": "admins"}
    plan = requests.post(f"{platform.url}/api/v1/plans", json={"year": YEAR, "title": "Awaiting", "items": [item]},
                         headers=platform.auth("specialist", "sam"), timeout=10).json()
    requests.post(f"{platform.url}/api/v1/plans/{plan['id']}/submit", headers=platform.auth("specialist", "sam"),
                  timeout=10)

    manager = get(platform, "/dashboard", "manager", "mia")
    assert manager["unavailable"] == []
    assert plan["id"] in [entry["id"] for entry in manager["parts"]["plans_awaiting_approval"]["items"]]
    assert "dead_letters" not in manager["parts"] and "my_enrolments" not in manager["parts"]

    supervisor = get(platform, "/dashboard", "supervisor", "sue")
    assert set(supervisor["parts"]["dead_letters"]) == set(platform.processes)  # every service, each its count
    assert all(total == 0 for total in supervisor["parts"]["dead_letters"].values())
    assert {"upcoming_sessions", "sessions_at_risk", "grading_backlog", "resource_conflicts"} <= set(supervisor["parts"])

    learner = get(platform, "/dashboard", "learner", "ada")
    assert {"my_enrolments", "my_exams", "my_certificates"} <= set(learner["parts"])
    assert not {"plans_awaiting_approval", "upcoming_sessions", "dead_letters"} & set(learner["parts"])


def test_a_learner_sees_only_their_own_overview(platform):
    requests.post(f"{platform.url}/api/v1/learners", headers=platform.auth("specialist", "sam"), timeout=10, json={
        "learner_id": "lin", "first_name": "Lin", "last_name": "Wei", "email": "lin@example.com",
        "organisation": "Retail Co", "user_type": "customer"})

    own = get(platform, "/learners/lin/overview", "learner", "lin")
    assert own["parts"]["archive"]["learner"]["learner_id"] == "lin"
    assert {"enrolments", "certificates", "remediations"} <= set(own["parts"])
    other = get(platform, "/learners/lin/overview", "learner", "somebody-else")
    assert "archive" not in other["parts"]  # refused by the archive, so left out
    assert get(platform, "/learners/lin/overview", "supervisor", "sue")["parts"]["archive"]["learner"]["learner_id"] == "lin"


def test_a_service_that_is_down_or_stalls_does_not_fail_the_view(platform):
    feedback, assessment = platform.processes["feedback"], platform.processes["assessment"]
    feedback.stop()
    os.kill(assessment.process.pid, signal.SIGSTOP)  # alive and holding its queue, but silent
    try:
        answer = get(platform, "/dashboard", "supervisor", "sue")
    finally:
        os.kill(assessment.process.pid, signal.SIGCONT)
        feedback.start()
    assert answer["unavailable"] == ["assessment", "feedback"]
    assert "upcoming_sessions" in answer["parts"] and "latest_surveys" not in answer["parts"]
