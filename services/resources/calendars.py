"""Resource calendars: one document per bookable resource, holding the intervals it is booked for.

A hold is one conditional `$push` on that document, guarded by "no entry of another session
overlaps this interval". The store applies one update to a document at a time, so of two
sessions racing for the same resource and time exactly one gets it, on MongoDB and on the
embedded store alike.

Each entry carries the booking's `check` number (see bookings.py): a later check of the same
session supersedes earlier entries, which are then released. Entries long past can clash with
nothing any more and are pruned, so a calendar document does not grow for ever; the bookings
keep the history.
"""
from pymongo.errors import DuplicateKeyError

from services.resources.store import CALENDARS


def calendar_id(kind, resource_id):
    return f"{kind}:{resource_id}"


def overlapping(session_id, starts_at, ends_at):
    """An entry of another session that overlaps [starts_at, ends_at) (half-open: back to back is fine)."""
    return {"session_id": {"$ne": session_id}, "starts_at": {"$lt": ends_at}, "ends_at": {"$gt": starts_at}}


def hold(db, kind, resource_id, session_id, check, starts_at, ends_at):
    """Book the resource for the session's interval; returns None if held, else the session id
    that holds an overlapping interval. Holding it again for the same check changes nothing."""
    doc_id = calendar_id(kind, resource_id)
    try:
        db[CALENDARS].update_one({"_id": doc_id}, {"$setOnInsert": {"kind": kind, "resource_id": resource_id,
                                                                    "entries": []}}, upsert=True)
    except DuplicateKeyError:
        pass  # created a moment ago by a concurrent hold
    entry = {"session_id": session_id, "check": check, "starts_at": starts_at, "ends_at": ends_at}
    pushed = db[CALENDARS].update_one(
        {"_id": doc_id, "$nor": [{"entries": {"$elemMatch": overlapping(session_id, starts_at, ends_at)}},
                                 {"entries": {"$elemMatch": {"session_id": session_id, "check": check}}}]},
        {"$push": {"entries": entry}})
    if pushed.modified_count:
        return None
    calendar = db[CALENDARS].find_one({"_id": doc_id})
    if any(other["session_id"] == session_id and other["check"] == check for other in calendar["entries"]):
        return None
    blocker = holder(db, kind, resource_id, session_id, starts_at, ends_at)
    return blocker or hold(db, kind, resource_id, session_id, check, starts_at, ends_at)  # the blocker just left


def holder(db, kind, resource_id, session_id, starts_at, ends_at):
    """The other session holding the resource at some point of [starts_at, ends_at), if any."""
    calendar = db[CALENDARS].find_one({"_id": calendar_id(kind, resource_id)}) or {"entries": []}
    return next((other["session_id"] for other in calendar["entries"]
                 if other["session_id"] != session_id and other["starts_at"] < ends_at
                 and other["ends_at"] > starts_at), None)


def release(db, session_id, keep_check=None):
    """Release the session's entries everywhere, except those of `keep_check`."""
    condition = {"session_id": session_id}
    if keep_check is not None:
        condition["check"] = {"$ne": keep_check}
    db[CALENDARS].update_many({"entries.session_id": session_id}, {"$pull": {"entries": condition}})


def release_check(db, session_id, check):
    """Release what one (superseded) check of the session holds."""
    db[CALENDARS].update_many({"entries.session_id": session_id},
                              {"$pull": {"entries": {"session_id": session_id, "check": check}}})


def busy(db, kind, resource_ids, session_id, starts_at, ends_at):
    """Which of these resources another session holds at some point of [starts_at, ends_at)."""
    calendars = db[CALENDARS].find(
        {"_id": {"$in": [calendar_id(kind, resource_id) for resource_id in resource_ids]},
         "entries": {"$elemMatch": overlapping(session_id, starts_at, ends_at)}}, {"resource_id": 1})
    return {calendar["resource_id"] for calendar in calendars}


def prune(db, ended_before):
    """Drop the entries that ended before the given time, from every calendar."""
    db[CALENDARS].update_many({"entries.ends_at": {"$lt": ended_before}},
                              {"$pull": {"entries": {"ends_at": {"$lt": ended_before}}}})
