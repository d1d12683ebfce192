"""LearnerErased.v1: what assessment holds on an erased learner.

Results stay, under a pseudonym, so the assessments' statistics and item analysis stay true;
what the learner wrote themselves (short answers, project work) is removed. Assessments and
sessions forget the learner; remediations, certificates and awards, which exist only for the
person, are deleted. The pseudonym derives from the erasure event's id, not from the learner id,
so nobody can recompute it from the learner id; a redelivered event finds nothing left to do.
"""
import hashlib

from services.assessment.contract import RESPONSE_FIELDS, SHORT
from services.assessment.store import ATTEMPTS, AWARDS, CERTIFICATES, EXAMS, REMEDIATIONS, SESSIONS


def erase_learner(db, learner_id, event_id):
    pseudonym = "erased-" + hashlib.sha256(event_id.encode()).hexdigest()[:12]
    for attempt in db[ATTEMPTS].find({"learner_id": learner_id}):
        db[ATTEMPTS].update_one({"_id": attempt["_id"]}, {"$set": {
            "learner_id": pseudonym, "work": None, "items": [without_own_words(item) for item in attempt["items"]],
            "history": [dict(entry, by=pseudonym if entry["by"] == learner_id else entry["by"])
                        for entry in attempt["history"]]}})
    db[EXAMS].update_many({"learner_ids": learner_id}, {"$pull": {"learner_ids": learner_id}})
    db[SESSIONS].update_many({"attendees": learner_id}, {"$pull": {"attendees": learner_id}})
    for collection in (REMEDIATIONS, CERTIFICATES, AWARDS):
        db[collection].delete_many({"learner_id": learner_id})
    return pseudonym


def without_own_words(item):
    if item["type"] == SHORT and item.get("answer"):
        return dict(item, answer=dict(item["answer"], **{RESPONSE_FIELDS[SHORT]: None}))
    return item
