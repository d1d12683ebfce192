"""Annual plans and their workflow, with a history of who did what and when:

    draft → submitted → approved → published
                      ↘ rejected
    rejected, approved or published → (revise: a new revision, back to draft) → submitted …

A published plan that changes goes round again: its next revision is approved and published
like the first, and announced to users as an update.

Only a manager decides (approves or rejects), and never one who wrote the plan or its current
revision. An action the current state does not allow is a Conflict carrying that state. Each
state change and the event it causes are one atomic write (the event goes into the plan's
outbox); the service publishes it afterwards.
"""
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import utc_now
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.planning.plan_rules import check_plan
from services.planning.store import NEEDS, PLANS

MANAGER = "manager"

# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "submit": (("draft",), "submitted"),
    "approve": (("submitted",), "approved"),
    "reject": (("submitted",), "rejected"),
    "revise": (("rejected", "approved", "published"), "draft"),
    "publish": (("approved",), "published"),
}
# What the plan's history calls each action.
RECORDED_AS = {"submit": "submitted", "approve": "approved", "reject": "rejected", "revise": "revised",
               "publish": "published"}
PLAN_STATES = StateMachine(PLANS, "plan", TRANSITIONS)


def create_plan(db, plan, actor, today, min_notice_days):
    items = with_item_ids(plan["items"], keep=())
    warnings = checked_content(db, plan["year"], items, today, min_notice_days)
    now = utc_now()
    doc = {
        "_id": new_id("plan"),
        "year": plan["year"],
        "title": plan["title"],
        "goals": plan["goals"],
        "items": items,
        "warnings": warnings,
        "status": "draft",
        "revision": 1,
        "author": actor["id"],
        "revision_author": actor["id"],
        "revisions": [],
        "publication": None,
        "history": [history_entry("created", actor, now, 1)],
        "created_at": now,
        "updated_at": now,
        "outbox": [],
    }
    db[PLANS].insert_one(doc)
    return doc


def revise_plan(db, plan_id, content, actor, today, min_notice_days):
    """Replace a rejected, approved or published plan's content as a new revision, back in draft.

    Items that name an item_id of the current revision keep it; others get a new one. The
    replaced revision is kept in `revisions`.
    """
    plan = require_author(get_plan(db, plan_id), actor, "revise")
    require_state(plan, "revise")
    items = with_item_ids(content["items"], keep={item["item_id"] for item in plan["items"]})
    warnings = checked_content(db, plan["year"], items, today, min_notice_days)
    replaced = {"revision": plan["revision"], "title": plan["title"], "goals": plan["goals"], "items": plan["items"],
                "status": plan["status"], "author": plan["revision_author"]}
    return transition(db, plan, "revise", actor, comment=content["comment"] or None,
                      changes={"title": content["title"], "goals": content["goals"], "items": items,
                               "warnings": warnings, "revision": plan["revision"] + 1,
                               "revision_author": actor["id"]},
                      push={"revisions": replaced})


def get_plan(db, plan_id):
    return fetch(db[PLANS], plan_id, "plan")


def list_plans(db, year=None, status=None, limit=20, offset=0):
    query = {key: value for key, value in (("year", year), ("status", status)) if value is not None}
    return page(db[PLANS], query, [("updated_at", -1), ("_id", 1)], limit, offset)


# Learners (the company's customers) see what was published to them, never the workings: no
# drafts, comments, staff names or plans approved but not yet published. A published plan keeps
# its published offering while a revision of it is under way.

def get_offering(db, plan_id):
    plan = get_plan(db, plan_id)
    if not plan.get("offering"):
        raise NotFound(f"plan {plan_id} does not exist", {"plan_id": plan_id})
    return offering_view(plan)


def list_offerings(db, year=None, limit=20, offset=0):
    query = {"offering.revision": {"$exists": True}, **({"year": year} if year is not None else {})}
    total, plans = page(db[PLANS], query, [("offering.published_at", -1), ("_id", 1)], limit, offset)
    return total, [offering_view(plan) for plan in plans]


def offering_view(plan):
    return dict(plan["offering"], _id=plan["_id"], year=plan["year"])


def submit_plan(db, plan_id, actor, new_event, today, min_notice_days):
    plan = require_author(get_plan(db, plan_id), actor, "submit")
    require_state(plan, "submit")
    if not plan["items"]:
        raise Conflict("a plan without items cannot be submitted", {"status": plan["status"]})
    warnings = checked_content(db, plan["year"], plan["items"], today, min_notice_days)  # time may have passed
    event = new_event("PlanSubmitted.v1", plan_id, dict(plan_ref(plan), submitted_by=actor["id"]))
    return transition(db, plan, "submit", actor, event, changes={"warnings": warnings})


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


def checked_content(db, year, items, today, min_notice_days):
    """The plan's warnings; InvalidInput with field messages if any rule is broken."""
    findings = check_plan(year, items, today, min_notice_days)
    linked = {need for item in items for need in item["linked_needs"]}
    known = {doc["_id"] for doc in db[NEEDS].find({"_id": {"$in": sorted(linked)}}, {"_id": 1})} if linked else set()
    for index, item in enumerate(items):
        unknown = [need for need in item["linked_needs"] if need not in known]
        if unknown:
            findings.error(index, f"unknown needs: {', '.join(unknown)}", field="linked_needs")
    if findings.errors:
        raise InvalidInput("the plan breaks planning rules", {"fields": findings.errors})
    return findings.warnings


def with_item_ids(items, keep):
    return [dict(item, item_id=item["item_id"] if item.get("item_id") in keep else new_id("item"))
            for item in items]


def require_author(plan, actor, action):
    if actor["id"] not in (plan["author"], plan["revision_author"]) and MANAGER not in actor["roles"]:
        raise Forbidden(f"only the plan's authors {action} it", {"author": plan["author"]})
    return plan


def require_manager_not_author(plan, actor):
    if MANAGER not in actor["roles"]:
        raise Forbidden("only a manager decides on a plan", {"required_role": MANAGER})
    if actor["id"] in (plan["author"], plan["revision_author"]):
        raise Forbidden("a plan's author cannot decide on it",
                        {"author": plan["author"], "revision_author": plan["revision_author"]})
    return plan


def require_state(plan, action):
    return PLAN_STATES.require(plan, action)


def transition(db, plan, action, actor, event=None, comment=None, now=None, changes=None, push=None):
    """Move a plan between states in one guarded write (state and revision as read), with its
    history entry and event; Conflict with the current state if someone got there first."""
    now = now or utc_now()
    revision = (changes or {}).get("revision", plan["revision"])
    return PLAN_STATES.apply(db, plan, action, changes=changes, push=push, events=[event] if event else (),
                             guard={"revision": plan["revision"]}, now=now,
                             history=history_entry(RECORDED_AS[action], actor, now, revision, comment))


def plan_ref(plan):
    return {"plan_id": plan["_id"], "year": plan["year"], "title": plan["title"],
            "revision": plan["revision"]}


def history_entry(action, actor, at, revision, comment=None):
    return {"action": action, "by": actor["id"], "at": at, "revision": revision, "comment": comment}
