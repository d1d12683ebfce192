"""End to end through the gateway, with feedback and planning as real processes: a survey is
answered (once per learner), its report and text analysis read, a course evaluation completed,
an improvement action raised, and both land in planning's needs backlog."""
from datetime import date, timedelta

import requests

from shared.testing import wait_until
from tests.test_planning_flow import Api

PLATFORM_SERVICES = ("planning", "feedback")
LEARNERS = ("ada", "grace", "alan")
SCORES = {"content_clear": 4, "content_relevant": 4, "format_suitable": 3, "format_organised": 4,
          "trainer_explains": 5, "trainer_answers": 5, "effect_apply": 4}
OPEN_ANSWERS = ("The trainer was clear but the pace was too fast.", "讲师很耐心，但是练习时间不够。",
                "More exercises on report filters please.")


def test_evaluation_to_improvement_action_to_need_in_planning(platform):
    api = Api(platform)
    survey = api("POST", "/surveys", "supervisor", "sue", expect=201, json={
        "title": "Reports workshop, cohort 3", "session_id": "session-e2e", "course": "reports-workshop",
        "trainer_ids": ["tom"], "learner_ids": list(LEARNERS), "anonymous": True})
    survey_url = f"/surveys/{survey['id']}"
    assert api("GET", survey_url, "learner", "ada")["answered"] is False
    api("GET", survey_url, "learner", "kurt", expect=404)

    refused = api("POST", f"{survey_url}/responses", "learner", "ada", expect=422,
                  json={"answers": dict(SCORES, recommend=12)})
    assert list(refused["error"]["details"]["fields"]["answers"]) == ["recommend"]
    for name, text in zip(LEARNERS, OPEN_ANSWERS):
        api("POST", f"{survey_url}/responses", "learner", name, expect=201,
            json={"answers": dict(SCORES, recommend=9, improve=text)})
    again = api("POST", f"{survey_url}/responses", "learner", "ada", expect=409, json={"answers": dict(SCORES, recommend=1)})
    assert again["error"]["code"] == "conflict"

    report = api("GET", f"{survey_url}/report", "trainer", "tom")
    assert (report["responses"], report["withheld"], report["nps"]) == (3, False, 100.0)
    api("GET", f"{survey_url}/report", "trainer", "tina", expect=403)
    text = api("GET", "/surveys/text-analysis?course=reports-workshop", "specialist")
    assert text["languages"] == {"en": 2, "zh": 1}
    assert {theme["theme"]: theme["negative"] for theme in text["themes"]}["pace"] == 2
    responses = api("GET", f"{survey_url}/responses", "supervisor")
    assert responses["total"] == 3 and all(item["learner_id"] is None for item in responses["items"])
    link = requests.get(f"{platform.url}/api/v1/surveys/invitations/no-such-token", timeout=10)
    assert link.status_code == 404  # no bearer token needed: the link is the credential

    api("POST", "/evaluations/indicators", "manager", "mia", expect=201, json={
        "course": "reports-workshop", "name": "Report tickets per month", "better": "lower", "before": 40,
        "after": 22})
    api("POST", "/evaluations", "learner", "ada", expect=403, json={"scope": "course", "course": "reports-workshop"})
    evaluation = api("POST", "/evaluations", "manager", "mia", expect=201,
                     json={"scope": "course", "course": "reports-workshop"})
    scores = {level["name"]: level["score"] for level in evaluation["levels"]}
    assert scores["reaction"] is not None and scores["learning"] is None and scores["results"] == 100.0
    completed = api("POST", f"/evaluations/{evaluation['id']}/complete", "manager", "mia",
                    json={"conclusion": "Pace too fast", "weak_topics": ["Report filters"]})
    assert completed["status"] == "completed"
    api("POST", f"/evaluations/{evaluation['id']}/complete", "manager", "mia", expect=409, json={})

    action = api("POST", "/improvement-actions", "supervisor", "sue", expect=201, json={
        "evaluation_id": evaluation["id"], "topic": "Report scheduling", "description": "Slow the pace; add a lab",
        "cause": "Learners found the pace too fast", "owner": "tom", "urgency": "high",
        "due_at": (date.today() + timedelta(days=21)).isoformat()})
    assert (action["status"], action["course"]) == ("open", "reports-workshop")
    assert api("POST", f"/improvement-actions/{action['id']}/start", "trainer", "tom", json={})["status"] == \
        "in_progress"

    def backlog_topics():
        topics = {need["topic"] for need in api("GET", "/needs?limit=100", "manager")["items"]}
        return topics if {"Report filters", "Report scheduling"} <= topics else None

    wait_until(backlog_topics, 30, 0.3, "the evaluation's and the action's needs in planning's backlog")
