"""Sessions from published plans (PlanPublished.v1): one session per scheduled date of each plan
item, keyed by (plan, item, ordinal), so a redelivered event creates nothing new.

A later revision of the plan reschedules the sessions whose times changed and cancels those it no
longer has; sessions already running, completed or cancelled are left as they are. The newest
revision applied is kept per plan, and an older one redriven later changes nothing.
"""
import hashlib

from pymongo.errors import DuplicateKeyError

from services.delivery.enrolment import settle
from services.delivery.sessions import OPEN, cancel, new_session, reschedule
from services.delivery.store import PLAN_SCHEDULES, SESSIONS

SCHEDULER = "planning"  # who the history names for changes a plan revision caused


def plan_session_id(plan_id, item_id, ordinal):
    return "session-" + hashlib.sha256(f"{plan_id}/{item_id}/{ordinal}".encode()).hexdigest()[:12]


def schedule_published_plan(db, data, new_event, now, default_capacity):
    """Returns the ids of the plan's sessions in this revision, or None for an outdated revision."""
    plan_id, revision = data["plan_id"], data["revision"]
    try:  # the same revision again (a redelivery) goes through: every step below is idempotent
        db[PLAN_SCHEDULES].update_one({"_id": plan_id, "revision": {"$lte": revision}},
                                      {"$set": {"revision": revision, "applied_at": now}}, upsert=True)
    except DuplicateKeyError:
        return None  # a newer revision is applied already
    wanted = []
    for item in data["items"]:
        for ordinal, slot in enumerate(item["schedule"]["sessions"], start=1):
            session_id = plan_session_id(plan_id, item["item_id"], ordinal)
            wanted.append(session_id)
            fields = {"title": item["title"], "format": item["format"], "starts_at": slot["starts_at"],
                      "ends_at": slot["ends_at"], "timezone": item["schedule"].get("timezone") or "UTC",
                      "capacity": item.get("capacity") or default_capacity, "topics": item.get("topics") or [],
                      "tier": item.get("tier"), "plan_id": plan_id, "item_id": item["item_id"],
                      "plan_revision": revision}
            apply_to_session(db, session_id, fields, revision, new_event, now)
    reason = f"no longer in revision {revision} of the plan"
    for session in db[SESSIONS].find({"plan_id": plan_id, "plan_revision": {"$lt": revision},
                                      "status": {"$in": list(OPEN)}, "_id": {"$nin": wanted}}):
        settle(db, cancel(db, session, reason, SCHEDULER, new_event, now), now)
    return wanted


def apply_to_session(db, session_id, fields, revision, new_event, now):
    try:
        db[SESSIONS].insert_one(new_session(fields, session_id, SCHEDULER, now, new_event))
        return
    except DuplicateKeyError:
        session = db[SESSIONS].find_one({"_id": session_id})
    if (session.get("plan_revision") or 0) >= revision:
        return  # applied already
    moved = (session["starts_at"], session["ends_at"]) != (fields["starts_at"], fields["ends_at"])
    if moved and session["status"] in OPEN:
        reschedule(db, session, {"starts_at": fields["starts_at"], "ends_at": fields["ends_at"],
                                 "reason": f"revision {revision} of the plan moved it"},
                   SCHEDULER, new_event, now, extra={"plan_revision": revision})
    else:
        db[SESSIONS].update_one({"_id": session_id, "plan_revision": {"$lt": revision}},
                                {"$set": {"plan_revision": revision}})
