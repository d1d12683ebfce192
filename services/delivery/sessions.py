"""Training sessions on the calendar."""
from shared.events import utc_now
from shared.store import fetch, new_id, page

from services.delivery.store import SESSIONS


def schedule_session(db, session, actor, new_event):
    session_id = new_id("session")
    event = new_event("SessionScheduled.v1", session_id, dict(session, session_id=session_id))
    doc = dict(session, _id=session_id, status="scheduled", scheduled_by=actor["id"],
               created_at=utc_now(), outbox=[event])
    db[SESSIONS].insert_one(doc)
    return doc


def get_session(db, session_id):
    return fetch(db[SESSIONS], session_id, "session")


def list_sessions(db, plan_id=None, limit=20, offset=0):
    query = {"plan_id": plan_id} if plan_id else {}
    return page(db[SESSIONS], query, [("starts_at", 1), ("_id", 1)], limit, offset)
