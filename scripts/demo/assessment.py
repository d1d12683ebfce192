"""Demo assessment data: a question bank; the demo session's online exam taken by the demo learners
(one excellent, one weak at reporting, one failing), graded, released and closed with an award;
the remediations and certificates that follow; a practical entered by CSV; project work waiting
in the grading queue."""
import sys
import time

import requests

from gateway.tokens import mint

FOLLOW_UP_TIMEOUT_SECONDS = 20
# (key, question): the bank; the final exam uses all but the last.
BANK = (
    ("users", {"type": "single_choice", "text": "Where do you create a new user account?", "topic": "User management",
               "difficulty": "easy", "options": ["Settings > Users", "Reports", "Billing"], "correct_option": 0,
               "tags": ["admin"]}),
    ("reset", {"type": "multiple_choice", "text": "Who may reset another user's password?", "topic": "User management",
               "difficulty": "medium", "options": ["An administrator", "Any user", "The help desk role"],
               "correct_options": [0, 2], "points": 2, "tags": ["admin", "security"]}),
    ("mfa", {"type": "true_false", "text": "Two-factor sign-in can be enforced for every user of a company.",
             "topic": "User management", "difficulty": "easy", "correct_value": True, "tags": ["security"]}),
    ("export", {"type": "single_choice", "text": "Which format exports a report for spreadsheets?",
                "topic": "Reporting", "difficulty": "easy", "options": ["PDF", "PNG", "CSV"], "correct_option": 2}),
    ("rows", {"type": "numeric", "text": "How many rows does a report page show by default?", "topic": "Reporting",
              "difficulty": "medium", "correct_number": 50, "tolerance": 0,
              "explanation": "50; change it under Report settings."}),
    ("schedule", {"type": "short_answer", "text": "Explain how to send a report every Monday to your team.",
                  "topic": "Reporting", "difficulty": "hard", "points": 3,
                  "model_answer": "Open the report, Schedule, weekly on Monday, add the team as recipients."}),
    ("kpi", {"type": "single_choice", "text": "Where do you define a custom KPI?", "topic": "Reporting",
             "difficulty": "hard", "options": ["Report builder > Measures", "Settings > Users"], "correct_option": 0}),
)
# Each demo learner's answers (by bank key) and the points a trainer gives their short answer.
TAKERS = (
    ({"users": {"option": 0}, "reset": {"options": [0, 2]}, "mfa": {"value": True}, "export": {"option": 2},
      "rows": {"number": 50}, "schedule": {"text": "Schedule it weekly on Monday with the team as recipients."}}, 3),
    ({"users": {"option": 0}, "reset": {"options": [0, 2]}, "mfa": {"value": True}, "export": {"option": 0},
      "rows": {"number": 20}, "schedule": {"text": "Export it and email it every Monday."}}, 2),
    ({"users": {"option": 1}, "reset": {"options": [1]}, "mfa": {"value": True}, "export": {"option": 2},
      "rows": {"number": 100}, "schedule": {"text": "Not sure."}}, 0),
)
RUBRIC = {"criteria": [
    {"name": "Account set-up", "topic": "User management", "weight": 2, "levels": [
        {"name": "not done", "points": 0}, {"name": "with help", "points": 1}, {"name": "unaided", "points": 2}]},
    {"name": "Scheduled report", "topic": "Reporting", "levels": [
        {"name": "missing", "points": 0}, {"name": "works", "points": 2}]},
]}
DEFAULT_LEARNERS = ("ada.lovelace", "grace.hopper", "alan.turing")


def load(client):
    learners = [learner["subject"] for learner in client.shared.get("learners", ())] or list(DEFAULT_LEARNERS)
    session_id = (client.shared.get("session") or {}).get("id")
    bank = {key: client.post("/questions", question, "specialist") for key, question in BANK}

    exam = final_exam(client, bank, learners, session_id)
    practical(client, learners, session_id)
    project = client.post("/exams", {"title": "Reporting project", "method": "project", "session_id": session_id,
                                     "pass_score": 60, "rubric": RUBRIC, "learner_ids": learners,
                                     "description": "Build the team's weekly report and hand in a link to it."},
                          "trainer")
    client.post(f"/exams/{project['id']}/publish", {}, "trainer")
    client.post(f"/exams/{project['id']}/hand-ins", {"text": "Weekly sales report for the store managers.",
                                                     "links": ["https://example.com/reports/weekly-sales"]},
                "learner", subject=learners[0])

    remediation = wait_for_remediation(client, exam["id"])
    client.post(f"/remediations/{remediation['id']}/close", {"note": "Went through report scheduling together."},
                "trainer")


def final_exam(client, bank, learners, session_id):
    """The online exam, taken, graded by its trainer, released, closed and awarded."""
    exam = client.post("/exams", {
        "title": "Platform basics: final exam", "method": "online", "session_id": session_id, "pass_score": 60,
        "time_limit_minutes": 30, "learner_ids": learners,
        "questions": [{"question_id": bank[key]["id"]} for key, _ in BANK[:-1]],
        "certificate": {"topic": "Platform administration", "product": "Platform", "valid_months": 12},
        "recognition": {"top_count": 1, "min_score": 90}}, "trainer")
    client.post(f"/exams/{exam['id']}/publish", {}, "trainer")
    by_question = {bank[key]["id"]: key for key, _ in BANK}
    for learner, (answers, short_points) in zip(learners, TAKERS):
        attempt = client.post(f"/exams/{exam['id']}/attempts", {}, "learner", subject=learner)
        client.post(f"/exams/{exam['id']}/attempts/{attempt['id']}/submit", {"answers": [
            dict(answers[by_question[item["question_id"]]], question_id=item["question_id"])
            for item in attempt["items"]]}, "learner", subject=learner)
        client.post(f"/exams/{exam['id']}/attempts/{attempt['id']}/grade", {
            "items": [{"question_id": bank["schedule"]["id"], "points": short_points}]}, "trainer")
    client.post(f"/exams/{exam['id']}/results/release", {}, "trainer")
    client.post(f"/exams/{exam['id']}/close", {}, "trainer")
    client.post(f"/exams/{exam['id']}/awards", {}, "trainer")
    return exam


def practical(client, learners, session_id):
    exam = client.post("/exams", {"title": "Set up a team (practical)", "method": "practical",
                                  "session_id": session_id, "pass_score": 50, "rubric": RUBRIC,
                                  "learner_ids": learners}, "trainer")
    client.post(f"/exams/{exam['id']}/publish", {}, "trainer")
    levels = (("unaided", "works"), ("with help", "works"), ("with help", "missing"))
    rows = "".join(f"{learner},{setup},{report}\n" for learner, (setup, report) in zip(learners, levels))
    post_csv(client, f"/exams/{exam['id']}/results/import", "learner_id,Account set-up,Scheduled report\n" + rows)
    client.post(f"/exams/{exam['id']}/results/release", {}, "trainer")


def post_csv(client, path, text):
    response = requests.post(f"{client.gateway}/api/v1{path}", data=text.encode(), timeout=10, headers={
        "Authorization": f"Bearer {mint(['trainer'], 'demo.trainer')}", "Content-Type": "text/csv"})
    if not response.ok:
        sys.exit(f"demo data: CSV entry failed: {response.status_code} {response.text}")


def wait_for_remediation(client, exam_id):
    """The failing learner's remediation: assessment assigns it when it handles the released result."""
    deadline = time.monotonic() + FOLLOW_UP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        failed = client.get(f"/remediations?exam_id={exam_id}&status=open", "trainer")["items"]
        failed = [remediation for remediation in failed if remediation["reason"] == "failed"]
        if failed:
            return failed[0]
        time.sleep(0.2)
    sys.exit(f"demo data: no remediation was assigned within {FOLLOW_UP_TIMEOUT_SECONDS} s")
