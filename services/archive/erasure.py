"""Erasure on request: the learner's key and personal data go, anonymous statistics stay.

One guarded write turns the registry entry into a tombstone (no subject, no sealed fields, no
key, no search hashes; company, department, user type and industry kept) with LearnerErased.v1
in its outbox, so of two supervisors erasing at once one wins and one event goes out. Then the
history is pseudonymised: the learner's facts are deleted and every record, result, certificate,
feedback entry, audit entry and parked event that named the learner names the tombstone's
pseudonym instead. That second step is idempotent and runs again when the archive consumes its
own LearnerErased.v1, so a crash between the two steps is completed from the event.
"""
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, NotFound

from services.archive import audit
from services.archive.history import has_history
from services.archive.registry import LEARNER_STATES, learner_key
from services.archive.store import AUDIT, FACTS, HISTORY, LEARNERS


def erase_learner(db, keyring, learner_id, actor, reason, new_event, now):
    pseudonym = learner_key(keyring, learner_id)
    event = new_event("LearnerErased.v1", learner_id, {"learner_id": learner_id, "erased_at": now})
    tombstone = {"learner_id": None, "personal": None, "data_key": None, "lookup": None, "erased_at": now,
                 "erased_by": actor["id"]}
    registered = db[LEARNERS].find_one({"_id": pseudonym})
    if registered is not None:
        LEARNER_STATES.apply(db, registered, "erase", changes=tombstone, events=[event], now=now)
    elif has_history(db, learner_id):
        # Known from events only: the tombstone is new, and a unique id lets one eraser win.
        insert_tombstone(db, pseudonym, tombstone, event, now)
    else:
        raise NotFound(f"the archive holds nothing on learner {learner_id}", {"learner_id": learner_id})
    pseudonymised = forget_history(db, learner_id, pseudonym)
    audit.record(db, actor, "erase", pseudonym, reason, now, {"pseudonymised": pseudonymised})
    return {"pseudonym": pseudonym, "erased_at": now, "erased_by": actor["id"], "pseudonymised": pseudonymised}


def insert_tombstone(db, pseudonym, tombstone, event, now):
    try:
        db[LEARNERS].insert_one(unregistered_tombstone(pseudonym, tombstone, now, outbox=[event]))
    except DuplicateKeyError:
        raise Conflict("cannot erase a learner that is erased", {"status": "erased"}) from None


def unregistered_tombstone(pseudonym, tombstone, now, outbox=()):
    return dict(tombstone, _id=pseudonym, status="erased", organisation=None, department=None, user_type=None,
                industry=None, registered_at=None, updated_at=now, outbox=list(outbox))


def honour_erasure(db, keyring, learner_id, now):
    """Complete an erasure from its LearnerErased.v1 (idempotent): forget the history, and keep
    a tombstone so that late events about the learner are dropped."""
    pseudonym = learner_key(keyring, learner_id)
    tombstone = unregistered_tombstone(pseudonym, {"learner_id": None, "erased_at": now, "erased_by": None}, now)
    tombstone.pop("_id")
    db[LEARNERS].update_one({"_id": pseudonym}, {"$setOnInsert": tombstone}, upsert=True)
    return forget_history(db, learner_id, pseudonym)


def forget_history(db, learner_id, pseudonym):
    """Delete the learner's facts and put the pseudonym where their id was; counts per collection."""
    changed = {FACTS: db[FACTS].delete_many({"learner_id": learner_id}).deleted_count}
    for collection in HISTORY:
        changed[collection] = db[collection].update_many({"learner_id": learner_id},
                                                         {"$set": {"learner_id": pseudonym}}).modified_count
    changed[AUDIT] = db[AUDIT].update_many({"learner_id": learner_id}, {"$set": {"learner_id": pseudonym}}).modified_count
    changed[AUDIT] += db[AUDIT].update_many({"actor_id": learner_id}, {"$set": {"actor_id": pseudonym}}).modified_count
    changed["dead_letters"] = db["dead_letters"].update_many(
        {"body.data.learner_id": learner_id}, {"$set": {"body.data.learner_id": pseudonym}}).modified_count
    return changed
