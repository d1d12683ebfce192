"""Improvement actions raised from evaluation results: an owner, a due date, a cause, a status.
Raising one publishes ImprovementActionRaised.v1, which planning turns into a need.

    open → in_progress → done
    open, in_progress → cancelled

Its owner or the department's organisers move an action on.
"""
from datetime import datetime, time, timezone

from shared.errors import Forbidden
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.feedback.evaluations import get_evaluation
from services.feedback.store import IMPROVEMENT_ACTIONS

RAISERS = ("supervisor", "specialist", "manager")
TRANSITIONS = {"start": (("open",), "in_progress"), "complete": (("open", "in_progress"), "done"),
               "cancel": (("open", "in_progress"), "cancelled")}
RECORDED_AS = {"start": "started", "complete": "completed", "cancel": "cancelled"}
ACTION_STATES = StateMachine(IMPROVEMENT_ACTIONS, "action", TRANSITIONS)


def raise_action(db, request, actor, new_event, now):
    evaluation = get_evaluation(db, request["evaluation_id"]) if request["evaluation_id"] else {}
    action_id = new_id("action")
    session_id = request["session_id"] or evaluation.get("session_id")
    event = new_event("ImprovementActionRaised.v1", action_id, {
        "action_id": action_id, "topic": request["topic"], "description": request["description"],
        "urgency": request["urgency"], "product": request["product"], "session_id": session_id, "raised_at": now,
        "evaluation_id": request["evaluation_id"], "owner": request["owner"], "due_at": request["due_at"],
        "cause": request["cause"]})
    doc = {"_id": action_id, "topic": request["topic"], "description": request["description"],
           "cause": request["cause"], "owner": request["owner"],
           "due_at": datetime.combine(request["due_at"], time(), timezone.utc), "urgency": request["urgency"],
           "evaluation_id": request["evaluation_id"], "session_id": session_id, "course": evaluation.get("course"),
           "product": request["product"], "status": "open", "raised_by": actor["id"], "raised_at": now,
           "history": [{"action": "raised", "by": actor["id"], "at": now, "note": None}], "outbox": [event],
           "updated_at": now}
    db[IMPROVEMENT_ACTIONS].insert_one(doc)
    return doc


def move_action(db, action_id, action, note, actor, now):
    current = get_action(db, action_id)
    if actor["id"] != current["owner"] and not set(actor["roles"]) & set(RAISERS + ("admin",)):
        raise Forbidden("the action's owner or an organiser moves it on", {"owner": current["owner"]})
    return ACTION_STATES.apply(db, current, action, now=now,
                               history={"action": RECORDED_AS[action], "by": actor["id"], "note": note})


def get_action(db, action_id):
    return fetch(db[IMPROVEMENT_ACTIONS], action_id, "action")


def list_actions(db, status=None, owner=None, evaluation_id=None, limit=20, offset=0):
    query = {key: value for key, value in (("status", status), ("owner", owner), ("evaluation_id", evaluation_id))
             if value is not None}
    return page(db[IMPROVEMENT_ACTIONS], query, [("due_at", 1), ("_id", 1)], limit, offset)


def action_view(action, today):
    """The action as the contract shows it: its due date as a date, and whether it is overdue."""
    due = action["due_at"].date()
    return dict(action, due_at=due, overdue=action["status"] in ("open", "in_progress") and due < today)
