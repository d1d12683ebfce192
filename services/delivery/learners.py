"""Learners as delivery knows them (LearnerRegistered.v1: id and non-personal attributes; contact
details stay in the archive), and their erasure (LearnerErased.v1)."""
import uuid

from services.delivery.store import ENROLMENTS, INTERACTIONS, LEARNERS, SESSIONS

ATTRIBUTES = ("organisation", "user_type", "industry", "department", "registered_at")


def record_learner(db, data):
    """Upsert by learner id: replaying the event writes the same values."""
    db[LEARNERS].update_one({"_id": data["learner_id"]},
                            {"$set": {key: data.get(key) for key in ATTRIBUTES}}, upsert=True)


def erase_learner(db, learner_id, now):
    """Remove the learner from delivery: the registration goes; seats, enrolments, attendance
    and interactions stay as a pseudonym's (one per erased learner, unrelated to the id), so the
    sessions' counts and records stay true. Applying it again finds nothing left to change."""
    db[LEARNERS].delete_one({"_id": learner_id})
    if not (db[ENROLMENTS].count_documents({"learner_id": learner_id}, limit=1)
            or db[INTERACTIONS].count_documents({"learner_id": learner_id}, limit=1)):
        return None
    pseudonym = f"erased-{uuid.uuid4().hex[:12]}"
    for field in ("seat_holders", "waiting"):
        db[SESSIONS].update_many({field: learner_id}, {"$set": {f"{field}.$": pseudonym}})
    db[ENROLMENTS].update_many({"learner_id": learner_id, "attendance": {"$ne": None}},
                               {"$set": {"attendance.notes": None}})
    db[ENROLMENTS].update_many({"attendance.recorded_by": learner_id},
                               {"$set": {"attendance.recorded_by": pseudonym}})
    db[ENROLMENTS].update_many({"learner_id": learner_id},
                               {"$set": {"learner_id": pseudonym, "messages": {}, "erased_at": now}})
    db[INTERACTIONS].update_many({"learner_id": learner_id}, {"$set": {"learner_id": pseudonym}})
    db[INTERACTIONS].update_many({"logged_by": learner_id}, {"$set": {"logged_by": pseudonym}})
    return pseudonym
