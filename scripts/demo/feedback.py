"""Demo feedback: two pilot sessions of the plan's first course with completed surveys (open
answers in English and Chinese; the second anonymous), a face-to-face recording, a follow-up
answered by the learners, business indicators, a completed four-level course evaluation and an
improvement action that planning takes into its backlog."""
from datetime import date, timedelta

LEARNERS = ("ada.lovelace", "grace.hopper", "alan.turing", "li.wei", "wang.fang")
SCORES = ("content_clear", "content_relevant", "format_suitable", "format_organised", "trainer_explains",
          "trainer_answers", "effect_apply")
PILOTS = (
    ("demo-pilot-1", False, (
        (4, 9, "The live demo of the admin console was excellent.", "The pace was too fast in the second hour."),
        (5, 10, "Clear explanations, very patient trainer.", "More exercises on user roles please."),
        (3, 7, "Useful examples.", "The audio kept breaking up online."),
        (4, 8, "讲师讲得很清楚，例子很实用。", "节奏太快了，练习时间不够。"),
        (4, 9, "内容很有帮助。", "希望提前发课件。"))),
    ("demo-pilot-2", True, (
        (5, 10, "Great exercises, much better pace this time.", "Send the slides a day before."),
        (4, 9, "The trainer answered every question.", None),
        (4, 8, "练习很有帮助，讲师很耐心。", "希望多一些案例。"),
        (5, 9, "非常实用。", None),
        (3, 6, "Good content.", "The room was too cold."))),
)


def load(client):
    plan = client.shared["plan"]
    course = plan["items"][0]["item_id"]
    for session_id, anonymous, answers in PILOTS:
        survey = client.post("/surveys", {
            "title": f"Platform basics for administrators ({session_id.replace('demo-', '')})",
            "session_id": session_id, "course": course, "plan_id": plan["id"], "trainer_ids": ["demo.trainer"],
            "learner_ids": list(LEARNERS), "anonymous": anonymous}, "supervisor")
        for learner, (score, recommend, liked, improve) in zip(LEARNERS, answers):
            client.post(f"/surveys/{survey['id']}/responses", {"answers": {
                **{item: score for item in SCORES}, "recommend": recommend, "liked": liked,
                **({"improve": improve} if improve else {})}}, "learner", subject=learner)
    client.post("/surveys/survey-demo-pilot-1/recordings", {
        "channel": "face_to_face", "source": "talk after the session",
        "answers": {"trainer_explains": 5, "improve": "A printed cheat sheet would help."}}, "trainer",
        subject="demo.trainer")

    follow_up = client.post("/surveys", {
        "questionnaire_id": "standard-follow-up", "title": "Platform basics: six weeks later",
        "session_id": "demo-pilot-1", "course": course, "plan_id": plan["id"], "trainer_ids": ["demo.trainer"],
        "learner_ids": list(LEARNERS)}, "supervisor")
    for learner, score in zip(LEARNERS, (4, 5, 3, 4, 4)):
        client.post(f"/surveys/{follow_up['id']}/responses", {"answers": {
            "applies_skills": score, "works_independently": score, "shares_knowledge": 3,
            "examples": "Set up the team's roles without calling support."}}, "learner", subject=learner)
    client.post(f"/surveys/{follow_up['id']}/invitations", {
        "relation": "supervisor", "name": "Charles Babbage", "email": "charles.babbage@example.com",
        "learner_id": LEARNERS[0]}, "supervisor")

    for name, unit, better, before, after in (("Support tickets from new administrators per month", "", "lower",
                                               42, 27),
                                              ("Customers using role templates", "%", "higher", 35, 52)):
        client.post("/evaluations/indicators", {"course": course, "name": name, "unit": unit, "better": better,
                                                "before": before, "after": after, "period_before": "Q1",
                                                "period_after": "Q3"}, "manager")
    evaluation = client.post("/evaluations", {"scope": "course", "course": course}, "manager")
    client.post(f"/evaluations/{evaluation['id']}/complete", {
        "conclusion": "Learners rate the course well and apply it; the pace of the second hour and the online "
                      "audio need work.", "weak_topics": ["User roles exercises"]}, "manager")
    client.post("/improvement-actions", {
        "evaluation_id": evaluation["id"], "topic": "Online session audio", "owner": "demo.trainer",
        "description": "Test the microphone and the platform's audio before every online session.",
        "cause": "Online learners could not hear parts of the session.", "urgency": "medium",
        "due_at": (date.today() + timedelta(days=30)).isoformat()}, "supervisor")
