"""Annual plans and their approval workflow: draft → submitted → approved | rejected.

Plain functions over the planning database. Each state change and the event it causes are
one atomic write (the event goes into the plan's outbox); the service publishes it afterwards.
"""
import uuid

from pymongo import ReturnDocument

from shared.errors import Conflict, Forbidden, NotFound
from shared.events import utc_now
from shared.outbox import with_events
from shared.store import page

from services.planning.store import PLANS

MANAGER = "manager"

# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "submit": (("draft",), "submitted"),
    "approve": (("submitted",), "approved"),
    "reject": (("submitted",), "rejected"),
}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def create_plan(db, plan, actor):
    now = utc_now()
    doc = {
        "_id": new_id("plan"),
        "year": plan["year"],
        "title": plan["title"],
        "goals": plan["goals"],
        "items": [dict(item, item_id=new_id("item")) for item in plan["items"]],
        "status": "draft",
        "revision": 1,
        "author": actor["id"],
        "history": [history_entry("created", actor, now)],
        "created_at": now,
        "updated_at": now,
        "outbox": [],
    }
    db[PLANS].insert_one(doc)
    return doc


def get_plan(db, plan_id):
    plan = db[PLANS].find_one({"_id": plan_id})
    if plan is None:
        raise NotFound(f"plan {plan_id} does not exist", {"plan_id": plan_id})
    return plan


def list_plans(db, year=None, status=None, limit=20, offset=0):
    query = {key: value for key, value in (("year", year), ("status", status)) if value is not None}
    return page(db[PLANS], query, [("updated_at", -1), ("_id", 1)], limit, offset)


def submit_plan(db, plan_id, actor, new_event):
    plan = get_plan(db, plan_id)
    if plan["author"] != actor["id"] and MANAGER not in actor["roles"]:
        raise Forbidden("only the plan's author submits it", {"author": plan["author"]})
    if not plan["items"]:
        raise Conflict("a plan without items cannot be submitted", {"status": plan["status"]})
    event = new_event("PlanSubmitted.v1", plan_id, dict(plan_ref(plan), submitted_by=actor["id"]))
    return transition(db, plan, "submit", actor, event)


def approve_plan(db, plan_id, actor, comment, new_event):
    plan = require_manager_not_author(get_plan(db, plan_id), actor)
    now = utc_now()
    event = new_event("PlanApproved.v1", plan_id, dict(
        plan_ref(plan), approved_by=actor["id"], approved_at=now,
        items=[{key: item.get(key) for key in ("item_id", "title", "format", "audience", "quarter", "capacity")}
               for item in plan["items"]]))
    return transition(db, plan, "approve", actor, event, comment, now)


def reject_plan(db, plan_id, actor, comment, new_event):
    plan = require_manager_not_author(get_plan(db, plan_id), actor)
    event = new_event("PlanRejected.v1", plan_id,
                      dict(plan_ref(plan), rejected_by=actor["id"], comment=comment))
    return transition(db, plan, "reject", actor, event, comment)


def require_manager_not_author(plan, actor):
    if MANAGER not in actor["roles"]:
        raise Forbidden("only a manager decides on a plan", {"required_role": MANAGER})
    if plan["author"] == actor["id"]:
        raise Forbidden("a plan's author cannot decide on it", {"author": plan["author"]})
    return plan


def transition(db, plan, action, actor, event, comment=None, now=None):
    """Move a plan between states atomically, with its history entry and event; 409 if illegal."""
    allowed_from, to_status = TRANSITIONS[action]
    now = now or utc_now()
    if plan["status"] not in allowed_from:
        raise illegal_transition(plan, action)
    updated = db[PLANS].find_one_and_update(
        {"_id": plan["_id"], "status": plan["status"]},
        with_events({"$set": {"status": to_status, "updated_at": now},
                     "$push": {"history": history_entry(to_status, actor, now, comment)}}, event),
        return_document=ReturnDocument.AFTER)
    if updated is None:  # someone else moved it between our read and our write
        raise illegal_transition(get_plan(db, plan["_id"]), action)
    return updated


def illegal_transition(plan, action):
    return Conflict(f"cannot {action} a plan that is {plan['status']}",
                    {"status": plan["status"], "plan_id": plan["_id"]})


def plan_ref(plan):
    return {"plan_id": plan["_id"], "year": plan["year"], "title": plan["title"],
            "revision": plan["revision"]}


def history_entry(action, actor, at, comment=None):
    return {"action": action, "by": actor["id"], "at": at, "comment": comment}
