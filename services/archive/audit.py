"""Who may read a learner's archive, and the append-only log of every read and change.

A learner reads their own archive; a trainer the archives of learners in their sessions (as the
events named the sessions' trainers); supervisors and auditors all; nobody else any. Reads are
logged before the data leaves the service, refused attempts too, so auditors see who looked at
what, when and why. The service only ever inserts into the log (retention removes old entries,
erasure pseudonymises the learner's id in them).
"""
import uuid

from shared.errors import Forbidden
from shared.store import page

from services.archive.store import AUDIT, RECORDS, between

# Roles that read every archive (admin passes every role check too).
READ_ALL = ("supervisor", "auditor", "admin")


def relation(db, caller, learner_id):
    """Why `caller` may read `learner_id`'s archive, or None if they may not."""
    if caller["id"] == learner_id:
        return "own archive"
    roles = sorted(set(caller["roles"]) & set(READ_ALL))
    if roles:
        return f"as {roles[0]}"
    if "trainer" in caller["roles"] and db[RECORDS].count_documents(
            {"learner_id": learner_id, "trainer_ids": caller["id"]}, limit=1):
        return "trainer of the learner's session"
    return None


def require_reader(db, caller, learner_id, action, now):
    """The caller's relation to the learner; Forbidden (and a logged refusal) if there is none."""
    found = relation(db, caller, learner_id)
    if found is None:
        record(db, caller, "read_denied", learner_id, None, now, {"attempted": action})
        raise Forbidden("you may not read this learner's archive", {"learner_id": learner_id})
    return found


def record(db, caller, action, learner_id, reason, now, details=None, entry_id=None):
    """Append one entry; `entry_id` makes an entry written for an event idempotent."""
    entry = {"_id": entry_id or f"audit-{uuid.uuid4().hex}", "at": now, "actor_id": caller["id"],
             "actor_roles": list(caller["roles"]), "action": action, "learner_id": learner_id,
             "reason": reason, "details": details or {}}
    db[AUDIT].update_one({"_id": entry["_id"]}, {"$setOnInsert": entry}, upsert=True)
    return entry


def record_event(db, envelope, data, learner_ids, now):
    """Each archive an event changed gets an entry: one per event and learner, written once."""
    service = {"id": envelope["source"].rsplit("/", 1)[-1], "roles": ["service"]}
    for index, learner_id in enumerate(learner_ids):
        record(db, service, "event", learner_id, envelope["type"], now,
               {"event_id": envelope["id"], "session_id": data.get("session_id")},
               entry_id=f"event-{envelope['id']}-{index}")


def filters(query):
    """The filters a query used, for its audit entry."""
    return {key: str(value) for key, value in query.items()
            if value is not None and key not in ("limit", "offset", "reason", "sort")}


def list_entries(db, learner_id=None, actor_id=None, action=None, since=None, until=None, limit=20, offset=0):
    query = {key: value for key, value in (("learner_id", learner_id), ("actor_id", actor_id), ("action", action))
             if value is not None}
    query.update(between("at", since, until))
    return page(db[AUDIT], query, [("at", -1), ("_id", 1)], limit, offset)
