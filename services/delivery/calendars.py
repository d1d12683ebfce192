"""Per-trainer and per-learner calendar feeds (.ics): what each of them has on, as it is now.

Calendar programs cannot send a bearer token, so a person may also have a secret link to their own
feed: a random key, kept here only as its hash, one per person and kind; issuing a new one makes
the old one stop working, and revoking it (or the learner's erasure) ends it.
"""
import hashlib
import secrets

from shared.errors import Forbidden, NotFound
from shared.identity import is_staff

from services.delivery.invitations import feed
from services.delivery.store import CALENDAR_LINKS, ENROLMENTS, SESSIONS

LEARNER, TRAINER = "learner", "trainer"


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


def issue_link(db, kind, actor, now):
    """A new secret link key to the caller's own feed (a learner's seats, or the sessions a
    trainer teaches); the caller's previous key of that kind stops working."""
    require_link_owner(kind, actor)
    key = secrets.token_urlsafe(32)
    link = {"kind": kind, "owner": actor["id"], "key_hash": key_hash(key), "issued_at": now}
    db[CALENDAR_LINKS].replace_one({"_id": link_id(kind, actor["id"])}, link, upsert=True)
    return dict(link, key=key)


def revoke_link(db, kind, actor):
    require_link_owner(kind, actor)
    if not db[CALENDAR_LINKS].delete_one({"_id": link_id(kind, actor["id"])}).deleted_count:
        raise NotFound(f"you have no {kind} calendar link", {"kind": kind})


def feed_by_key(db, key, now):
    """The feed a secret link names, read as its owner would read it."""
    link = db[CALENDAR_LINKS].find_one({"key_hash": key_hash(key)})
    if link is None:
        raise NotFound("no calendar at this link (it may have been replaced or revoked)", {})
    owner = {"id": link["owner"], "roles": [link["kind"]]}
    if link["kind"] == TRAINER:
        return trainer_feed(db, link["owner"], owner, now)
    return learner_feed(db, link["owner"], owner, now)


def forget_learner_link(db, learner_id):
    db[CALENDAR_LINKS].delete_one({"_id": link_id(LEARNER, learner_id)})


def require_link_owner(kind, actor):
    if kind not in actor["roles"]:
        raise Forbidden(f"only a {kind} has a {kind} calendar", {"kind": kind})


def link_id(kind, owner):
    return f"{kind}:{owner}"


def key_hash(key):
    return hashlib.sha256(key.encode()).hexdigest()
