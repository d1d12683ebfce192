"""End to end through the gateway, with assessment and planning as real processes: a session
completes (the test publishes SessionCompleted.v1 as delivery would), its attendee takes the exam
opened to her, her trainer releases the result, and the topic she was weak on appears as a need
in planning's backlog. Bad CSV entries are refused row by row and write nothing."""
from datetime import datetime, timedelta, timezone

import pytest

from shared.events import make_envelope
from shared.publisher import EventPublisher
from shared.testing import wait_until
from tests.platform import Api

PLATFORM_SERVICES = ("planning", "assessment")
SESSION = "session-e2e-1"


@pytest.fixture(scope="module")
def api(platform):
    return Api(platform)


def complete_session(platform, attendance):
    """What delivery publishes when a session is closed with its attendance."""
    ended = datetime.now(timezone.utc)
    publisher = EventPublisher(platform.amqp_uri, "delivery")
    try:
        publisher.publish(make_envelope("SessionCompleted.v1", SESSION, {
            "session_id": SESSION, "title": "Reporting basics", "format": "online", "topics": ["Reports"],
            "starts_at": ended - timedelta(hours=3), "ends_at": ended, "trainer_ids": ["tom"],
            "completed_at": ended, "attendance": [{"learner_id": learner, "status": status}
                                                  for learner, status in attendance.items()]}))
    finally:
        publisher.close()


def test_session_completed_to_exam_to_released_result_to_a_planning_need(platform, api):
    users = api("POST", "/questions", "specialist", "sam", expect=201, json={
        "type": "single_choice", "text": "Where are users created?", "topic": "Users", "points": 3,
        "options": ["Settings", "Reports"], "correct_option": 0})
    reports = api("POST", "/questions", "specialist", "sam", expect=201, json={
        "type": "numeric", "text": "How many rows fit on a report page?", "topic": "Report scheduling",
        "points": 2, "correct_number": 50, "tolerance": 5})
    exam = api("POST", "/exams", "trainer", "tom", expect=201, json={
        "title": "Reporting basics: final exam", "method": "online", "session_id": SESSION, "pass_score": 60,
        "time_limit_minutes": 20, "questions": [{"question_id": users["id"]}, {"question_id": reports["id"]}]})
    api("POST", f"/exams/{exam['id']}/publish", "trainer", "tom")
    api("POST", f"/exams/{exam['id']}/attempts", "learner", "ada", expect=404)  # not open to her yet

    complete_session(platform, {"ada": "present", "cy": "absent"})
    wait_until(lambda: api("GET", "/exams", "learner", "ada")["total"] == 1, message="the exam to open to ada")
    api("POST", f"/exams/{exam['id']}/attempts", "learner", "cy", expect=404)  # absent: not open to him

    attempt = api("POST", f"/exams/{exam['id']}/attempts", "learner", "ada", expect=201)
    assert "correct_option" not in str(attempt) and "correct_number" not in str(attempt)
    by_topic = {item["topic"]: item["question_id"] for item in attempt["items"]}
    attempt_url = f"/exams/{exam['id']}/attempts/{attempt['id']}"
    api("POST", f"{attempt_url}/answers", "learner", "ada", json={"answers": [
        {"question_id": by_topic["Users"], "option": 0}]})
    api("POST", f"{attempt_url}/submit", "learner", "bob", expect=403)  # not his attempt
    submitted = api("POST", f"{attempt_url}/submit", "learner", "ada", json={"answers": [
        {"question_id": by_topic["Report scheduling"], "number": 80}]})
    assert submitted["status"] == "graded" and "score" not in submitted
    api("POST", f"{attempt_url}/submit", "learner", "ada", expect=409, json={})
    assert api("GET", f"/exams/{exam['id']}/results", "learner", "ada")["total"] == 0  # not released yet

    released = api("POST", f"/exams/{exam['id']}/results/release", "trainer", "tom", json={})
    assert released["released"] == 1
    result, = api("GET", f"/exams/{exam['id']}/results", "learner", "ada")["items"]
    assert (result["score"], result["passed"], result["weak_topics"]) == (60.0, True, ["Report scheduling"])
    assert result["items"][1]["correct_number"] == 50.0

    def weak_topic_need():
        needs = api("GET", "/needs?source=exam_results", "manager", "mia")["items"]
        return [need for need in needs if need["topic"] == "Report scheduling"]

    need, = wait_until(weak_topic_need, 30, 0.2, "planning to record the weak topic as a need")
    assert need["urgency"] == "medium" and "ada" not in str(need["evidence"])
    remediation, = wait_until(lambda: api("GET", "/remediations", "learner", "ada")["items"], 30, 0.2,
                              "ada's remediation")
    assert (remediation["reason"], remediation["topics"]) == ("weak_topics", ["Report scheduling"])
    closed = api("POST", f"/remediations/{remediation['id']}/close", "trainer", "tom",
                 json={"note": "Walked through page sizes"})
    assert closed["status"] == "closed"

    report = api("GET", f"/exams/{exam['id']}/report", "auditor")
    assert (report["count"], report["mean"], report["pass_rate"]) == (1, 60.0, 100.0)
    assert api("GET", f"/exams/sessions/{SESSION}/report", "supervisor")["overall"]["count"] == 1
    assert len(api("GET", f"/exams/{exam['id']}/item-analysis", "specialist")["items"]) == 2
    api("GET", f"/exams/{exam['id']}/report", "learner", "ada", expect=403)


def test_paper_results_entered_by_csv_are_all_or_nothing(platform, api):
    question = api("POST", "/questions", "specialist", "sam", expect=201, json={
        "type": "true_false", "text": "CSV exports open in spreadsheets.", "topic": "Exports",
        "correct_value": True})
    exam = api("POST", "/exams", "trainer", "tom", expect=201, json={
        "title": "Exports on paper", "method": "paper", "pass_score": 50, "learner_ids": ["ada", "grace"],
        "questions": [{"question_id": question["id"]}]})
    api("POST", f"/exams/{exam['id']}/publish", "trainer", "tom")
    csv_headers = {"Content-Type": "text/csv"}

    refused = api("POST", f"/exams/{exam['id']}/results/import", "trainer", "tom", expect=422,
                  data="learner_id,q1\nada,1\nnobody,1\ngrace,3\n", headers=csv_headers)
    assert set(refused["error"]["details"]["rows"]) == {"3", "4"}
    assert api("GET", f"/exams/{exam['id']}/results", "trainer", "tom")["total"] == 0
    api("POST", f"/exams/{exam['id']}/results/import", "trainer", "tia", expect=403,
        data="learner_id,q1\nada,1\n", headers=csv_headers)  # not her assessment

    entered = api("POST", f"/exams/{exam['id']}/results/import", "trainer", "tom", expect=201,
                  files={"file": ("marks.csv", b"learner_id,q1\nada,1\ngrace,0\n", "text/csv")})
    assert entered["rows"] == 2
    scores = {result["learner_id"]: result["score"]
              for result in api("GET", f"/exams/{exam['id']}/results", "trainer", "tom")["items"]}
    assert scores == {"ada": 100.0, "grace": 0.0}
