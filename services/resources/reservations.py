"""Reservation requests: the time window of each scheduled session, waiting for a trainer.

SessionScheduled.v1 names no trainer, so every window starts as pending assignment.
"""
from pymongo.errors import DuplicateKeyError

from shared.events import utc_now
from shared.store import page

from services.resources.store import RESERVATIONS

PENDING_ASSIGNMENT = "pending_assignment"


def request_reservation(db, session):
    """One request per session, keyed by its id: a second event for the session changes nothing."""
    try:
        db[RESERVATIONS].insert_one({
            "_id": session["session_id"], "title": session["title"], "starts_at": session["starts_at"],
            "ends_at": session["ends_at"], "venue": session["venue"], "trainer_id": None,
            "status": PENDING_ASSIGNMENT, "requested_at": utc_now()})
    except DuplicateKeyError:
        pass  # the session's window is already requested


def list_reservations(db, limit=20, offset=0):
    return page(db[RESERVATIONS], {}, [("starts_at", 1), ("_id", 1)], limit, offset)
