"""Two demo learners' feedback on the demo session.

The session's questionnaire opens when feedback receives SessionScheduled.v1, so it may appear
a moment after delivery scheduled the session: wait for it first.
"""
import sys
import time

QUESTIONNAIRE_TIMEOUT_SECONDS = 20
ANSWERS = (
    {"ratings": {"content": 5, "format": 4, "trainer": 5, "effect": 4},
     "comments": "Clear walk-through of the admin console.", "suggestions": "More time for the exercises."},
    {"ratings": {"content": 4, "format": 3, "trainer": 4, "effect": 4},
     "suggestions": "Send the slides a day before the session."},
)


def load(client):
    questionnaire_id = client.shared["session"]["id"]
    wait_for_questionnaire(client, questionnaire_id)
    for learner, answers in zip(client.shared["learners"], ANSWERS):
        client.post(f"/questionnaires/{questionnaire_id}/responses", answers, "learner", subject=learner["subject"])


def wait_for_questionnaire(client, questionnaire_id):
    # The list, not GET /questionnaires/<id>: the demo client stops on any error, 404 included.
    deadline = time.monotonic() + QUESTIONNAIRE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        questionnaires = client.get("/questionnaires?limit=100", "specialist")["items"]
        if any(questionnaire["id"] == questionnaire_id for questionnaire in questionnaires):
            return
        time.sleep(0.5)
    sys.exit(f"demo data: no questionnaire for session {questionnaire_id} within {QUESTIONNAIRE_TIMEOUT_SECONDS} s")
