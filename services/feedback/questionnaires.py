"""Feedback questionnaires: one per session, opened when delivery schedules the session.

A questionnaire's id is its session's id, so opening one is an upsert that a replayed or
duplicated SessionScheduled.v1 cannot turn into a second questionnaire.
"""
from shared.events import utc_now
from shared.store import fetch, page

from services.feedback.store import QUESTIONNAIRES

RATING_DIMENSIONS = ("content", "format", "trainer", "effect")

STANDARD_QUESTIONS = (
    {"key": "content", "kind": "rating", "text": "How useful and clear was the content?"},
    {"key": "format", "kind": "rating", "text": "How well did the format and organisation suit you?"},
    {"key": "trainer", "kind": "rating", "text": "How well did the trainer explain and answer questions?"},
    {"key": "effect", "kind": "rating", "text": "How much will this training help you in your work?"},
    {"key": "comments", "kind": "text", "text": "What would you like to tell us about this session?"},
    {"key": "suggestions", "kind": "text", "text": "What should we change or add next time?"},
)


def open_questionnaire(db, session):
    """Open the session's questionnaire, or refresh its session facts if it is already open."""
    db[QUESTIONNAIRES].update_one(
        {"_id": session["session_id"]},
        {"$set": {"title": session["title"], "format": session["format"],
                  "starts_at": session["starts_at"], "ends_at": session["ends_at"]},
         "$setOnInsert": {"questions": list(STANDARD_QUESTIONS), "opened_at": utc_now()}},
        upsert=True)


def get_questionnaire(db, questionnaire_id):
    return fetch(db[QUESTIONNAIRES], questionnaire_id, "questionnaire")


def list_questionnaires(db, limit=20, offset=0):
    return page(db[QUESTIONNAIRES], {}, [("starts_at", -1), ("_id", 1)], limit, offset)
