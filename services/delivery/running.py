"""Running a session and keeping its record: attendance, self check-in, the interaction log, the
session record, and completion with SessionCompleted.v1.

Attendance is kept on each learner's enrolment (with AttendanceRecorded.v1 in the same write);
a learner checks in only themselves, with the short-lived code their trainer shows in the room.
"""
import hmac
import secrets
from datetime import timedelta

from pymongo import ReturnDocument

from shared.errors import Conflict, Forbidden, InvalidInput
from shared.identity import is_staff
from shared.outbox import with_events
from shared.store import new_id, page

from services.delivery.sessions import (SESSION_STATES, get_session, history_entry, manages, require_manager,
                                        require_reader)
from services.delivery.store import ENROLMENTS, INTERACTIONS, SESSIONS

RUNNING = ("in_progress", "completed")  # attendance may be corrected after completion
CHECK_IN_OPEN = ("ready", "in_progress")
MAX_CODE_GUESSES = 5  # per learner and code: one chance in 200,000 of guessing a six-digit code
LOGGING = ("ready", "in_progress", "completed")


def record_attendance(db, session_id, records, actor, new_event, now):
    """Attendance of enrolled learners, all or nothing: a learner not enrolled refuses the lot."""
    session = require_manager(get_session(db, session_id), actor, "record attendance")
    require_state(session, RUNNING, "record attendance")
    learners = [record["learner_id"] for record in records]
    enrolled = {doc["learner_id"]: doc for doc in db[ENROLMENTS].find(
        {"session_id": session_id, "learner_id": {"$in": learners}, "status": "enrolled"})}
    strangers = [learner for learner in learners if learner not in enrolled]
    if strangers:
        raise InvalidInput("attendance is recorded for enrolled learners only",
                           {"fields": {"records": {learner: ["not enrolled in this session"] for learner in strangers}}})
    written = []
    for record in records:
        enrolment = enrolled[record["learner_id"]]
        attendance = {"status": record["status"], "participation_score": record["participation_score"],
                      "notes": record["notes"], "checked_in_at": enrolment.get("checked_in_at"),
                      "recorded_by": actor["id"], "recorded_at": now}
        written.append(write_attendance(db, session, enrolment, attendance, new_event, now))
    return written


def write_attendance(db, session, enrolment, attendance, new_event, now, guard=None):
    event = new_event("AttendanceRecorded.v1", session["_id"], dict(
        attendance, session_id=session["_id"], learner_id=enrolment["learner_id"], recorded_at=now))
    return db[ENROLMENTS].find_one_and_update(
        {"_id": enrolment["_id"], "status": "enrolled", **(guard or {})},
        with_events({"$set": {"attendance": attendance, "updated_at": now}}, event),
        return_document=ReturnDocument.AFTER)


def list_attendance(db, session_id, actor, limit=20, offset=0):
    require_reader(get_session(db, session_id), actor, "see its attendance")
    return page(db[ENROLMENTS], {"session_id": session_id, "status": "enrolled"},
                [("learner_id", 1)], limit, offset)


def open_check_in(db, session_id, actor, now, minutes):
    """A fresh check-in code for the room, valid for `minutes` (DELIVERY_CHECK_IN_MINUTES)."""
    session = require_manager(get_session(db, session_id), actor, "open the check-in")
    require_state(session, CHECK_IN_OPEN, "open the check-in")
    check_in = {"code": f"{secrets.randbelow(10 ** 6):06d}", "expires_at": now + timedelta(minutes=minutes),
                "opened_by": actor["id"], "opened_at": now}
    updated = db[SESSIONS].find_one_and_update({"_id": session_id, "status": {"$in": list(CHECK_IN_OPEN)}},
                                               {"$set": {"check_in": check_in, "updated_at": now}})
    if updated is None:
        require_state(get_session(db, session_id), (), "open the check-in")
    return check_in


def check_in(db, session_id, code, actor, new_event, now, late_after_minutes):
    """The calling learner checks themselves in: present, or late past the grace period. Each
    learner has MAX_CODE_GUESSES at each code, so a code cannot be guessed from outside the room."""
    session = get_session(db, session_id)
    require_state(session, CHECK_IN_OPEN, "check in")
    enrolment = db[ENROLMENTS].find_one({"session_id": session_id, "learner_id": actor["id"], "status": "enrolled"})
    if enrolment is None:
        raise Forbidden("only learners enrolled in the session check in", {"session_id": session_id})
    if enrolment.get("checked_in_at"):
        return enrolment  # checked in already: the first time counts
    opened = session.get("check_in")
    if not opened or opened["expires_at"] < now:
        raise InvalidInput("the check-in is closed; ask your trainer to open it", {"fields": {"code": ["expired"]}})
    if not spend_guess(db, enrolment["_id"], opened["opened_at"]):
        raise Conflict(f"{MAX_CODE_GUESSES} wrong codes: ask your trainer to check you in or open a new check-in",
                       {"session_id": session_id, "wrong_codes": MAX_CODE_GUESSES})
    if not hmac.compare_digest(opened["code"], code):
        raise InvalidInput("wrong check-in code; ask your trainer for the current one",
                           {"fields": {"code": ["wrong"]}})
    late = now > session["starts_at"] + timedelta(minutes=late_after_minutes)
    attendance = {"status": "late" if late else "present", "participation_score": None, "notes": "",
                  "checked_in_at": now, "recorded_by": actor["id"], "recorded_at": now}
    written = db[ENROLMENTS].find_one_and_update(
        {"_id": enrolment["_id"], "status": "enrolled", "checked_in_at": None},
        with_events({"$set": {"attendance": attendance, "checked_in_at": now, "updated_at": now}},
                    new_event("AttendanceRecorded.v1", session_id, dict(
                        attendance, session_id=session_id, learner_id=actor["id"]))),
        return_document=ReturnDocument.AFTER)
    return written or db[ENROLMENTS].find_one({"_id": enrolment["_id"]})


def spend_guess(db, enrolment_id, code_opened_at):
    """Take one of the learner's guesses at the code opened at `code_opened_at`; False when they
    have none left. Each guess is a conditional update, so parallel guesses cannot exceed it."""
    for _ in range(2):  # a parallel first guess may start the count between our two updates
        if db[ENROLMENTS].update_one({"_id": enrolment_id, "code_guesses.opened_at": code_opened_at,
                                      "code_guesses.count": {"$lt": MAX_CODE_GUESSES}},
                                     {"$inc": {"code_guesses.count": 1}}).modified_count:
            return True
        if db[ENROLMENTS].update_one({"_id": enrolment_id, "code_guesses.opened_at": {"$ne": code_opened_at}},
                                     {"$set": {"code_guesses": {"opened_at": code_opened_at, "count": 1}}}
                                     ).modified_count:
            return True
    return False


def log_interaction(db, session_id, request, actor, now):
    """A question asked or answered, or a discussion point. Learners log as themselves (and only
    questions and discussion points) in sessions they are enrolled in."""
    session = get_session(db, session_id)
    require_state(session, LOGGING, "log interactions")
    if manages(session, actor):
        learner_id = request["learner_id"]
    elif not is_staff(actor) and request["kind"] != "answer" and request["learner_id"] in (None, actor["id"]):
        learner_id = actor["id"]
    else:
        raise Forbidden("learners log their own questions and points; trainers log everything",
                        {"session_id": session_id})
    if learner_id and not db[ENROLMENTS].count_documents(
            {"session_id": session_id, "learner_id": learner_id, "status": "enrolled"}, limit=1):
        raise InvalidInput("that learner is not enrolled in this session", {"fields": {"learner_id": ["not enrolled"]}})
    if (request["kind"] == "answer") != bool(request["in_reply_to"]):
        raise InvalidInput("an answer replies to a question, and only an answer does",
                           {"fields": {"in_reply_to": ["required for answers only"]}})
    if request["in_reply_to"] and db[INTERACTIONS].update_one(
            {"_id": request["in_reply_to"], "session_id": session_id, "kind": "question"},
            {"$set": {"answered": True}}).matched_count == 0:
        raise InvalidInput("no such question in this session", {"fields": {"in_reply_to": ["unknown question"]}})
    doc = {"_id": new_id("interaction"), "session_id": session_id, "kind": request["kind"], "text": request["text"],
           "learner_id": learner_id, "in_reply_to": request["in_reply_to"], "answered": False,
           "logged_by": actor["id"], "at": now}
    db[INTERACTIONS].insert_one(doc)
    return doc


def list_interactions(db, session_id, actor, kind=None, limit=20, offset=0):
    session = get_session(db, session_id)
    if not is_staff(actor) and not db[ENROLMENTS].count_documents(
            {"session_id": session_id, "learner_id": actor["id"], "status": "enrolled"}, limit=1):
        raise Forbidden("learners see the log of sessions they are enrolled in", {"session_id": session_id})
    if is_staff(actor):
        require_reader(session, actor, "see its interaction log")
    query = {"session_id": session_id, **({"kind": kind} if kind else {})}
    return page(db[INTERACTIONS], query, [("at", 1), ("_id", 1)], limit, offset)


def write_record(db, session_id, record, actor, now):
    """The session record (content covered, deviations, incidents, trainer notes), replaced whole."""
    session = require_manager(get_session(db, session_id), actor, "write its record")
    require_state(session, RUNNING, "write its record")
    record = dict(record, updated_by=actor["id"], updated_at=now)
    updated = db[SESSIONS].find_one_and_update({"_id": session_id, "status": {"$in": list(RUNNING)}},
                                               {"$set": {"record": record, "updated_at": now}},
                                               return_document=ReturnDocument.AFTER)
    if updated is None:
        require_state(get_session(db, session_id), (), "write its record")
    return updated


def complete_session(db, session_id, actor, new_event, now):
    """Close the session with SessionCompleted.v1: every enrolled learner's attendance and
    participation (a learner with no attendance recorded counts as absent)."""
    session = require_manager(get_session(db, session_id), actor, "complete it")
    SESSION_STATES.require(session, "complete")
    attendance = [{"learner_id": doc["learner_id"],
                   "status": (doc.get("attendance") or {}).get("status") or "absent",
                   "participation_score": (doc.get("attendance") or {}).get("participation_score")}
                  for doc in db[ENROLMENTS].find({"session_id": session_id, "status": "enrolled"}).sort("learner_id", 1)]
    event = new_event("SessionCompleted.v1", session_id, dict(
        session, session_id=session_id, attendance=attendance, completed_at=now))
    return SESSION_STATES.apply(db, session, "complete", events=[event], now=now, changes={"completed_at": now},
                                history=history_entry("completed", actor["id"], now))


def require_state(session, states, action):
    if session["status"] not in states:
        raise Conflict(f"cannot {action} in a session that is {session['status'].replace('_', ' ')}",
                       {"status": session["status"], "session_id": session["_id"]})
    return session
