"""Per-trainer and per-learner calendar feeds (.ics): what each of them has on, as it is now."""
from shared.errors import Forbidden
from shared.identity import is_staff

from services.delivery.invitations import feed
from services.delivery.store import ENROLMENTS, SESSIONS


def trainer_feed(db, trainer_id, actor, now):
    """Every session the trainer teaches; cancelled ones stay in, marked cancelled."""
    if not is_staff(actor):
        raise Forbidden("trainer calendars are for staff", {"trainer_id": trainer_id})
    sessions = db[SESSIONS].find({"trainer_ids": trainer_id}).sort([("starts_at", 1), ("_id", 1)])
    return feed(((session, False) for session in sessions), f"Training sessions: {trainer_id}", now)


def learner_feed(db, learner_id, actor, now):
    """The sessions the learner holds a seat in; a seat given up, or a session cancelled, shows as
    cancelled. Learners read only their own feed."""
    if not is_staff(actor) and actor["id"] != learner_id:
        raise Forbidden("learners read only their own calendar", {"learner_id": learner_id})
    enrolments = {doc["session_id"]: doc for doc in db[ENROLMENTS].find(
        {"learner_id": learner_id, "status": {"$in": ["enrolled", "cancelled"]}, "enrolled_at": {"$ne": None}})}
    sessions = db[SESSIONS].find({"_id": {"$in": list(enrolments)}}).sort([("starts_at", 1), ("_id", 1)])
    return feed(((session, enrolments[session["_id"]]["status"] == "cancelled") for session in sessions),
                "My training sessions", now)
