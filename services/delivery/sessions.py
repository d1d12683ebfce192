"""Training sessions on the calendar."""
import uuid

from shared.errors import NotFound
from shared.events import utc_now
from shared.store import page

from services.delivery.store import SESSIONS


def schedule_session(db, session, actor, new_event):
    session_id = f"session-{uuid.uuid4().hex[:12]}"
    event = new_event("SessionScheduled.v1", session_id, dict(session, session_id=session_id))
    doc = dict(session, _id=session_id, status="scheduled", scheduled_by=actor["id"],
               created_at=utc_now(), outbox=[event])
    db[SESSIONS].insert_one(doc)
    return doc


def get_session(db, session_id):
    session = db[SESSIONS].find_one({"_id": session_id})
    if session is None:
        raise NotFound(f"session {session_id} does not exist", {"session_id": session_id})
    return session


def list_sessions(db, plan_id=None, limit=20, offset=0):
    query = {"plan_id": plan_id} if plan_id else {}
    return page(db[SESSIONS], query, [("starts_at", 1), ("_id", 1)], limit, offset)
