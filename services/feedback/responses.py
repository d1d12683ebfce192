"""Learners' answers to a session's questionnaire: one response per learner per session."""
import uuid

from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden
from shared.events import utc_now
from shared.store import page

from services.feedback.questionnaires import get_questionnaire
from services.feedback.store import RESPONSES

LEARNER = "learner"


def submit_feedback(db, questionnaire_id, answers, actor, new_event):
    """Record the acting learner's answers with their FeedbackSubmitted.v1 in one insert."""
    if LEARNER not in actor["roles"]:
        raise Forbidden("only learners answer feedback questionnaires", {"required_role": LEARNER})
    session_id = get_questionnaire(db, questionnaire_id)["_id"]
    response_id = f"response-{uuid.uuid4().hex[:12]}"
    comments, suggestions = open_text(answers["comments"]), open_text(answers["suggestions"])
    now = utc_now()
    event = new_event("FeedbackSubmitted.v1", response_id, {
        "response_id": response_id, "session_id": session_id, "learner_id": actor["id"],
        "ratings": answers["ratings"], "has_comment": bool(comments or suggestions), "submitted_at": now})
    doc = {"_id": response_id, "session_id": session_id, "learner_id": actor["id"],
           "ratings": answers["ratings"], "comments": comments, "suggestions": suggestions,
           "submitted_at": now, "outbox": [event]}
    try:
        db[RESPONSES].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict("this learner has already given feedback on this session",
                       {"session_id": session_id, "learner_id": actor["id"]}) from None
    return doc


def open_text(text):
    """An answer to an open question, or None when the learner left it blank."""
    return (text or "").strip() or None


def list_responses(db, questionnaire_id, limit=20, offset=0):
    session_id = get_questionnaire(db, questionnaire_id)["_id"]
    return page(db[RESPONSES], {"session_id": session_id}, [("submitted_at", 1), ("_id", 1)], limit, offset)


def ratings_of(db, questionnaire_id):
    """Every response's ratings for one questionnaire, without the open text."""
    session_id = get_questionnaire(db, questionnaire_id)["_id"]
    return [response["ratings"] for response in db[RESPONSES].find({"session_id": session_id}, {"ratings": 1})]
