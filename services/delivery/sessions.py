"""Training sessions on the calendar and their life:

    scheduled → ready → in_progress → completed
    scheduled or ready → cancelled
    scheduled or ready → (reschedule) → scheduled: preparation that depends on time and place
                                         is checked again

Nothing is deleted: a cancelled or rescheduled session keeps its reason and history. Every change
is one guarded write (shared.transitions) carrying its event; of two people acting at once one
wins and the other gets a Conflict with the current state. Each change that learners must hear
of increases the session's `sequence`, the SEQUENCE of its calendar invitation.
"""
from datetime import datetime, timedelta

from shared.errors import Conflict, Forbidden
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.delivery import checklist
from services.delivery.store import SESSIONS

# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "ready": (("scheduled",), "ready"),
    "start": (("ready",), "in_progress"),
    "complete": (("in_progress",), "completed"),
    "cancel": (("scheduled", "ready"), "cancelled"),
    "reschedule": (("scheduled", "ready"), "scheduled"),
}
SESSION_STATES = StateMachine(SESSIONS, "session", TRANSITIONS)
OPEN = ("scheduled", "ready")  # enrolment is possible, the session can still change
# Department staff who manage every session; trainers manage the sessions they teach.
SESSION_MANAGERS = ("supervisor", "specialist", "admin")
OVERSEERS = ("auditor", "manager")  # read every session's details, change none
# Fields a reschedule may change; changing any of the first group asks resources to book again.
BOOKED = ("starts_at", "ends_at", "room_id", "equipment_ids", "trainer_ids")
CHANGEABLE = BOOKED + ("timezone", "venue", "online_url", "capacity", "min_participants")


def manages(session, caller):
    return bool(set(SESSION_MANAGERS) & set(caller["roles"])) or (
        "trainer" in caller["roles"] and caller["id"] in session["trainer_ids"])


def require_manager(session, caller, action):
    if not manages(session, caller):
        raise Forbidden(f"only the session's trainers or a supervisor may {action}",
                        {"session_id": session["_id"], "trainer_ids": session["trainer_ids"]})
    return session


def require_reader(session, caller, what):
    """Those who manage the session, and staff who oversee all sessions (auditors, managers)."""
    if set(caller["roles"]) & set(OVERSEERS):
        return session
    return require_manager(session, caller, what)


def new_session(fields, session_id, scheduled_by, now, new_event):
    """A session document, its SessionScheduled.v1 in its outbox."""
    doc = {
        "_id": session_id, "title": fields["title"], "format": fields["format"],
        "starts_at": fields["starts_at"], "ends_at": fields["ends_at"], "timezone": fields.get("timezone") or "UTC",
        "venue": fields.get("venue"), "online_url": fields.get("online_url"), "room_id": fields.get("room_id"),
        "equipment_ids": fields.get("equipment_ids") or [], "trainer_ids": fields.get("trainer_ids") or [],
        "topics": fields.get("topics") or [], "tier": fields.get("tier"),
        "capacity": fields["capacity"], "min_participants": fields.get("min_participants"),
        "plan_id": fields.get("plan_id"), "item_id": fields.get("item_id"), "plan_revision": fields.get("plan_revision"),
        "status": "scheduled", "sequence": 0,
        "seats_taken": 0, "seat_holders": [], "waiting": [], "waiting_counter": 0,
        "checklist": checklist.new_checklist(fields["format"]), "platform_test": None,
        "resources_reserved": [], "resource_conflicts": [], "ready_override": None, "record": None,
        "cancellation": None, "check_in": None,
        "history": [history_entry("scheduled", scheduled_by, now)],
        "scheduled_by": scheduled_by, "created_at": now, "updated_at": now,
    }
    doc["outbox"] = [new_event("SessionScheduled.v1", session_id, dict(doc, session_id=session_id))]
    return doc


def schedule_session(db, request, actor, new_event, now):
    doc = new_session(request, new_id("session"), actor["id"], now, new_event)
    db[SESSIONS].insert_one(doc)
    return doc


def get_session(db, session_id):
    return fetch(db[SESSIONS], session_id, "session")


def list_sessions(db, now, go_no_go_days, plan_id=None, status=None, format=None, trainer_id=None,
                  starts_after=None, starts_before=None, at_risk=None, statuses=None, limit=20, offset=0):
    query = {key: value for key, value in (("plan_id", plan_id), ("status", status), ("format", format),
                                           ("trainer_ids", trainer_id)) if value is not None}
    if statuses and not status:
        query["status"] = {"$in": list(statuses)}
    starts = {operator: value for operator, value in (("$gte", starts_after), ("$lt", starts_before)) if value}
    if at_risk:
        query.update({"status": {"$in": list(OPEN)} if status is None else status,
                      "$expr": {"$lt": ["$seats_taken", "$min_participants"]}})
        starts["$lte"] = now + timedelta(days=go_no_go_days)
    if starts:
        query["starts_at"] = starts
    return page(db[SESSIONS], query, [("starts_at", 1), ("_id", 1)], limit, offset)


def view(session, now, go_no_go_days):
    """The session with what is derived from it: its checklist as a list and the go/no-go flag."""
    return dict(session, checklist=checklist.entries(session), checklist_complete=checklist.complete(session),
                go_no_go=go_no_go(session, now, go_no_go_days))


def go_no_go(session, now, days):
    """Whether the session will take place: at risk if it is below its minimum participants within
    `days` of its start (setting DELIVERY_GO_NO_GO_DAYS)."""
    needed = max((session.get("min_participants") or 0) - session["seats_taken"], 0)
    decide_by = session["starts_at"] - timedelta(days=days)
    if session["status"] in OPEN and now < decide_by:
        status = "not_due"
    elif session["status"] in OPEN and needed:
        status = "at_risk"
    else:
        status = "go"
    return {"status": status, "decide_by": decide_by, "seats_needed": needed}


def reschedule_session(db, session_id, request, actor, new_event, now, extra=None):
    """Change time, place, trainers or capacity; enrolled learners keep their seats and hear of it."""
    session = require_manager(get_session(db, session_id), actor, "reschedule it")
    return reschedule(db, session, request, actor["id"], new_event, now, extra)


def reschedule(db, session, request, by, new_event, now, extra=None):
    SESSION_STATES.require(session, "reschedule")
    changes = {key: request[key] for key in CHANGEABLE if key in request and request[key] != session.get(key)}
    if not changes:
        raise Conflict("nothing would change", {"status": session["status"], "session_id": session["_id"]})
    capacity = changes.get("capacity", session["capacity"])
    if capacity < session["seats_taken"]:
        raise Conflict(f"{session['seats_taken']} learners hold seats: the capacity cannot go below that",
                       {"status": session["status"], "seats_taken": session["seats_taken"]})
    if (changes.get("min_participants", session["min_participants"]) or 0) > capacity:
        raise Conflict("the minimum participants would exceed the capacity", {"status": session["status"]})
    updated = dict(session, **changes)
    sequence = session["sequence"] + 1
    event = new_event("SessionRescheduled.v1", session["_id"], dict(
        updated, session_id=session["_id"], previous_starts_at=session["starts_at"],
        previous_ends_at=session["ends_at"], reason=request["reason"], sequence=sequence, rescheduled_at=now))
    written = dict(changes, sequence=sequence, **checklist.reset_for(session, changes), **(extra or {}))
    if set(changes) & set(BOOKED):
        written.update(resources_reserved=[], resource_conflicts=[])
    return SESSION_STATES.apply(
        db, session, "reschedule", changes=written, events=[event], now=now,
        guard={"sequence": session["sequence"], "seats_taken": {"$lte": capacity}},
        history=history_entry("rescheduled", by, now, request["reason"], changes))


def cancel_session(db, session_id, reason, actor, new_event, now):
    session = require_manager(get_session(db, session_id), actor, "cancel it")
    return cancel(db, session, reason, actor["id"], new_event, now)


def cancel(db, session, reason, by, new_event, now):
    """Cancel with the reason; the seats and the waiting list end with the session (enrolment
    records follow, see enrolment.settle)."""
    SESSION_STATES.require(session, "cancel")
    learners = session["seat_holders"] + session["waiting"]
    event = new_event("SessionCancelled.v1", session["_id"], dict(
        session, session_id=session["_id"], reason=reason, learner_ids=learners, cancelled_at=now))
    return SESSION_STATES.apply(
        db, session, "cancel", events=[event], now=now,
        changes={"cancellation": {"reason": reason, "by": by, "at": now}, "sequence": session["sequence"] + 1},
        guard={"sequence": session["sequence"]}, history=history_entry("cancelled", by, now, reason))


def mark_ready(db, session_id, override_reason, actor, now):
    """Ready once the checklist is complete, or on a supervisor's word with a reason."""
    session = require_manager(get_session(db, session_id), actor, "declare it ready")
    SESSION_STATES.require(session, "ready")
    missing = checklist.missing(session)
    override = None
    if missing and not override_reason:
        raise Conflict("the preparation checklist is not complete", {"status": session["status"], "missing": missing})
    if missing:
        if "supervisor" not in actor["roles"] and "admin" not in actor["roles"]:
            raise Forbidden("only a supervisor may declare a session ready with its checklist incomplete",
                            {"missing": missing})
        override = {"by": actor["id"], "at": now, "reason": override_reason, "missing": missing}
    return SESSION_STATES.apply(db, session, "ready", changes={"ready_override": override}, now=now,
                                guard={"sequence": session["sequence"]},
                                history=history_entry("ready", actor["id"], now, override_reason))


def start_session(db, session_id, actor, now):
    session = require_manager(get_session(db, session_id), actor, "start it")
    return SESSION_STATES.apply(db, session, "start", now=now, history=history_entry("started", actor["id"], now))


def history_entry(action, by, at, reason=None, changes=None):
    if changes:
        changes = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in changes.items()}
    return {"action": action, "by": by, "at": at, "reason": reason, "changes": changes}
