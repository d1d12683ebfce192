"""A demo exam for the demo session, published and taken by two learners: one passes, one does not."""
QUESTIONS = (
    ("Where do you create a new user account?", ["Settings > Users", "Reports", "Billing"], 0, "user management"),
    ("Who may reset another user's password?", ["Any user", "An administrator", "Nobody"], 1, "user management"),
    ("Which format exports a report for spreadsheets?", ["PDF", "PNG", "CSV"], 2, "reporting"),
    ("How often can a scheduled report run at most?", ["Hourly", "Daily", "Weekly"], 0, "reporting"),
)


def load(client):
    exam = client.post("/exams", {
        "title": "Platform basics: final exam", "session_id": client.shared["session"]["id"], "pass_score": 75,
        "questions": [{"text": text, "options": options, "correct_option": correct, "topic": topic}
                      for text, options, correct, topic in QUESTIONS]}, "trainer")
    client.post(f"/exams/{exam['id']}/publish", {}, "trainer")

    questions = exam["questions"]
    all_right = [{"question_id": question["question_id"], "option": question["correct_option"]}
                 for question in questions]
    weak_at_reporting = all_right[:2] + [{"question_id": questions[2]["question_id"], "option": 0}]
    for learner, answers in zip(client.shared["learners"], (all_right, weak_at_reporting)):
        client.post(f"/exams/{exam['id']}/submissions", {"answers": answers}, "learner", subject=learner["subject"])
