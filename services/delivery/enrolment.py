"""Enrolment: seats, the waiting list and its promotion, CSV imports.

The session document owns its seats: `seat_holders` (learner ids), `seats_taken` and the
`waiting` list in arrival order. Taking a seat is one conditional update of that document
(guarded by capacity, status and the learner not already holding a place), carrying the
LearnerEnrolled.v1 event; so concurrent enrolments never oversell, and whoever the store serves
first gets the seat or the earlier place in the queue. A freed seat goes to the head of the
queue by the same kind of update, guarded by who is first.

Each learner's place also has an enrolment document (one per session and learner, a unique
index): its status, attendance and the messages sent. It follows the session's seats;
`settle` repairs what a crash between the two writes left behind.
"""
import csv
import io

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.identity import is_staff
from shared.outbox import with_events
from shared.store import new_id, page

from services.delivery.sessions import OPEN, get_session, manages, require_manager, require_reader
from services.delivery.store import ENROLMENTS, LEARNERS, SESSIONS

ATTEMPTS = 10  # rounds of an enrolment that keeps losing races (a seat freed or taken meanwhile)
MAX_CSV_ROWS = 5000


def enrol(db, session_id, learner_id, actor, new_event, now):
    """Enrol a learner: learners themselves, staff anyone registered (LearnerRegistered.v1)."""
    session = get_session(db, session_id)
    learner_id = enrolling_whom(db, session, learner_id, actor)
    return place(db, session, learner_id, new_event, now)


def enrolling_whom(db, session, learner_id, actor):
    if not is_staff(actor):
        if learner_id not in (None, actor["id"]):
            raise Forbidden("learners enrol only themselves", {"learner_id": learner_id})
        return actor["id"]
    require_manager(session, actor, "enrol learners")
    if not learner_id:
        raise InvalidInput("name the learner to enrol", {"fields": {"learner_id": ["required for staff"]}})
    if db[LEARNERS].count_documents({"_id": learner_id}, limit=1) == 0:
        raise InvalidInput(f"no registered learner {learner_id}", {"fields": {"learner_id": ["unknown learner"]}})
    return learner_id


def place(db, session, learner_id, new_event, now):
    """A seat if one is free, else the next place on the waiting list; returns the enrolment."""
    require_open(session)
    enrolment = enrolment_record(db, session["_id"], learner_id, now)
    for _ in range(ATTEMPTS):
        already_placed(session, learner_id)
        free = {"_id": session["_id"], "status": {"$in": list(OPEN)}, "capacity": session["capacity"],
                "seat_holders": {"$ne": learner_id}, "waiting": {"$ne": learner_id}}
        if session["seats_taken"] < session["capacity"]:
            event = new_event("LearnerEnrolled.v1", enrolment["_id"],
                              enrolled_data(session, enrolment, now, from_waiting_list=False))
            if db[SESSIONS].find_one_and_update(
                    dict(free, seats_taken={"$lt": session["capacity"]}),
                    with_events({"$inc": {"seats_taken": 1}, "$push": {"seat_holders": learner_id}}, event)):
                return mark(db, enrolment["_id"], "enrolled", now, from_waiting_list=False)
        else:
            queued = db[SESSIONS].find_one_and_update(
                dict(free, seats_taken={"$gte": session["capacity"]}),
                {"$inc": {"waiting_counter": 1}, "$push": {"waiting": learner_id}},
                return_document=ReturnDocument.AFTER)
            if queued:
                return mark(db, enrolment["_id"], "waiting", now, waiting_number=queued["waiting_counter"])
        session = get_session(db, session["_id"])
        require_open(session)
    raise Conflict("the session's seats are changing too fast; try again", {"status": session["status"]})


def require_open(session):
    if session["status"] not in OPEN:
        raise Conflict(f"the enrolments of a session that is {session['status'].replace('_', ' ')} no longer change",
                       {"status": session["status"], "session_id": session["_id"]})


def already_placed(session, learner_id):
    if learner_id in session["seat_holders"]:
        raise Conflict("the learner is already enrolled", {"status": session["status"], "enrolment": "enrolled"})
    if learner_id in session["waiting"]:
        raise Conflict("the learner is already on the waiting list",
                       {"status": session["status"], "enrolment": "waiting"})


def enrolment_record(db, session_id, learner_id, now):
    """The learner's enrolment document for the session, made on first use (unique per pair)."""
    try:
        return db[ENROLMENTS].find_one_and_update(
            {"session_id": session_id, "learner_id": learner_id},
            {"$setOnInsert": {"_id": new_id("enrolment"), "status": "requested", "requested_at": now,
                              "attendance": None, "checked_in_at": None, "messages": {}}},
            upsert=True, return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:  # the same learner's other request made it a moment ago
        return db[ENROLMENTS].find_one({"session_id": session_id, "learner_id": learner_id})


def mark(db, enrolment_id, status, now, **fields):
    changes = {"status": status, "updated_at": now, **fields}
    if status == "enrolled":
        changes.update(enrolled_at=now, waiting_number=None, cancelled_at=None, cancel_reason=None)
    elif status == "waiting":
        changes.update(enrolled_at=None, cancelled_at=None, cancel_reason=None, from_waiting_list=False)
    return db[ENROLMENTS].find_one_and_update({"_id": enrolment_id}, {"$set": changes},
                                              return_document=ReturnDocument.AFTER)


def enrolled_data(session, enrolment, now, from_waiting_list):
    return dict(session, enrollment_id=enrolment["_id"], session_id=session["_id"], learner_id=enrolment["learner_id"],
                from_waiting_list=from_waiting_list, enrolled_at=now)


def cancel_enrolment(db, session_id, learner_id, reason, actor, new_event, now):
    """Give up a seat (or a place on the waiting list); the seat goes to the head of the queue."""
    session = get_session(db, session_id)
    if not (manages(session, actor) or actor["id"] == learner_id):
        raise Forbidden("learners cancel only their own enrolments; trainers those of their sessions",
                        {"learner_id": learner_id})
    enrolment = db[ENROLMENTS].find_one({"session_id": session_id, "learner_id": learner_id})
    if enrolment is None:
        raise NotFound(f"learner {learner_id} has no enrolment in session {session_id}",
                       {"session_id": session_id, "learner_id": learner_id})
    require_open(session)
    if learner_id in session["seat_holders"]:
        event = new_event("EnrollmentCancelled.v1", enrolment["_id"], {
            "enrollment_id": enrolment["_id"], "session_id": session_id, "learner_id": learner_id,
            "reason": reason, "cancelled_at": now})
        freed = db[SESSIONS].find_one_and_update(
            {"_id": session_id, "status": {"$in": list(OPEN)}, "seat_holders": learner_id},
            with_events({"$inc": {"seats_taken": -1}, "$pull": {"seat_holders": learner_id}}, event))
    elif learner_id in session["waiting"]:
        freed = db[SESSIONS].find_one_and_update(
            {"_id": session_id, "status": {"$in": list(OPEN)}, "waiting": learner_id},
            {"$pull": {"waiting": learner_id}})
    else:
        raise Conflict("the enrolment is already cancelled", {"status": session["status"], "enrolment": "cancelled"})
    if freed is None:  # the session closed, or another request cancelled it first
        return cancel_enrolment(db, session_id, learner_id, reason, actor, new_event, now)
    cancelled = db[ENROLMENTS].find_one_and_update(
        {"_id": enrolment["_id"]},
        {"$set": {"status": "cancelled", "cancelled_at": now, "cancel_reason": reason, "waiting_number": None,
                  "updated_at": now}}, return_document=ReturnDocument.AFTER)
    promote(db, session_id, new_event, now)
    return cancelled


def promote(db, session_id, new_event, now):
    """Give free seats to the waiting list, first come first served; returns who was promoted."""
    promoted = []
    while True:
        session = get_session(db, session_id)
        if session["status"] not in OPEN or not session["waiting"] or session["seats_taken"] >= session["capacity"]:
            return promoted
        first = session["waiting"][0]
        enrolment = enrolment_record(db, session_id, first, now)
        event = new_event("LearnerEnrolled.v1", enrolment["_id"],
                          enrolled_data(session, enrolment, now, from_waiting_list=True))
        if db[SESSIONS].find_one_and_update(
                {"_id": session_id, "status": {"$in": list(OPEN)}, "capacity": session["capacity"],
                 "seats_taken": {"$lt": session["capacity"]}, "waiting.0": first},
                with_events({"$inc": {"seats_taken": 1}, "$pull": {"waiting": first},
                             "$push": {"seat_holders": first}}, event)):
            mark(db, enrolment["_id"], "enrolled", now, from_waiting_list=True)
            promoted.append(first)


def upkeep(db, new_event, now):
    """Free seats of upcoming sessions to their waiting lists, and enrolment records in line with
    the seats: what a crash between two writes may have left undone."""
    for session in db[SESSIONS].find({"status": {"$in": list(OPEN) + ["cancelled"]}, "starts_at": {"$gt": now}},
                                     {"_id": 1, "status": 1}):
        if session["status"] in OPEN:
            promote(db, session["_id"], new_event, now)
        settle(db, get_session(db, session["_id"]), now)


def settle(db, session, now):
    """Bring the session's enrolment documents in line with its seats (after a crash between the
    two writes, or a cancelled session); returns how many changed."""
    places = {learner: "enrolled" for learner in session["seat_holders"]}
    places.update({learner: "waiting" for learner in session["waiting"]})
    if session["status"] == "cancelled":
        places = {}
    changed = 0
    for enrolment in db[ENROLMENTS].find({"session_id": session["_id"],
                                          "status": {"$in": ["requested", "enrolled", "waiting"]}}):
        status = places.get(enrolment["learner_id"], "cancelled")
        if status != enrolment["status"] and not (status == "cancelled" and enrolment["status"] == "requested"
                                                  and session["status"] != "cancelled"):
            fields = {"cancel_reason": "the session was cancelled", "cancelled_at": now} \
                if status == "cancelled" else {}
            mark(db, enrolment["_id"], status, now, **fields)
            changed += 1
    return changed


def list_enrolments(db, session_id, actor, status=None, limit=20, offset=0):
    session = require_reader(get_session(db, session_id), actor, "see its enrolments")
    query = {"session_id": session_id, **({"status": status} if status else {"status": {"$ne": "requested"}})}
    total, items = page(db[ENROLMENTS], query, [("requested_at", 1), ("_id", 1)], limit, offset)
    return total, [with_position(item, session) for item in items]


def waiting_list(db, session_id, actor, limit=20, offset=0):
    """The waiting list in order: position 1 gets the next free seat."""
    session = require_reader(get_session(db, session_id), actor, "see its waiting list")
    queue = session["waiting"][offset:offset + limit]
    found = {doc["learner_id"]: doc for doc in db[ENROLMENTS].find({"session_id": session_id,
                                                                    "learner_id": {"$in": queue}})}
    return len(session["waiting"]), [with_position(found[learner], session) for learner in queue if learner in found]


def learner_enrolments(db, actor, learner_id=None, status=None, limit=20, offset=0):
    """A learner's own enrolments (staff: anyone's), with their sessions, soonest first."""
    if not is_staff(actor):
        if learner_id not in (None, actor["id"]):
            raise Forbidden("learners see only their own enrolments", {"learner_id": learner_id})
        learner_id = actor["id"]
    if not learner_id:
        raise InvalidInput("name the learner", {"fields": {"learner_id": ["required for staff"]}})
    query = {"learner_id": learner_id, **({"status": status} if status else {"status": {"$ne": "requested"}})}
    total, items = page(db[ENROLMENTS], query, [("requested_at", -1), ("_id", 1)], limit, offset)
    sessions = {doc["_id"]: doc for doc in db[SESSIONS].find({"_id": {"$in": [item["session_id"] for item in items]}})}
    return total, [with_position(dict(item, session=sessions.get(item["session_id"])), sessions.get(item["session_id"]))
                   for item in items]


def with_position(enrolment, session):
    waiting = session["waiting"] if session else []
    position = waiting.index(enrolment["learner_id"]) + 1 if enrolment["learner_id"] in waiting else None
    return dict(enrolment, waiting_position=position)


def import_enrolments(db, session_id, csv_text, actor, new_event, now):
    """Enrol the learners of a CSV (column learner_id), all or nothing: any bad row and nothing is
    enrolled, and the answer lists each bad row (numbered as in a spreadsheet, header = 1)."""
    session = require_manager(get_session(db, session_id), actor, "enrol learners")
    require_open(session)
    learner_ids = parse_learner_csv(csv_text)
    known = {doc["_id"] for doc in db[LEARNERS].find({"_id": {"$in": [learner for _, learner in learner_ids]}}, {"_id": 1})}
    errors, seen = {}, set()
    for row, learner in learner_ids:
        problem = ("unknown learner" if learner not in known else
                   "listed twice in the file" if learner in seen else
                   "already enrolled" if learner in session["seat_holders"] else
                   "already on the waiting list" if learner in session["waiting"] else None)
        seen.add(learner)
        if problem:
            errors[str(row)] = {"learner_id": [problem]}
    if errors:
        raise InvalidInput("the file has rows that cannot be enrolled; nothing was enrolled", {"rows": errors})
    result = {"rows": len(learner_ids), "enrolled": [], "waiting": [], "already": []}
    for _, learner in learner_ids:
        try:
            enrolment = place(db, get_session(db, session_id), learner, new_event, now)
            result[enrolment["status"]].append(learner)
        except Conflict as exc:  # enrolled meanwhile by someone else
            if "enrolment" not in exc.details:
                raise
            result["already"].append(learner)
    return result


def parse_learner_csv(csv_text):
    """[(row number, learner id)]; InvalidInput naming the bad rows."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    if not reader.fieldnames or "learner_id" not in [name.strip() for name in reader.fieldnames]:
        raise InvalidInput("the CSV needs a header row with a learner_id column", {"rows": {"1": ["no learner_id"]}})
    rows, errors = [], {}
    for number, row in enumerate(reader, start=2):
        learner = (row.get("learner_id") or row.get(" learner_id") or "").strip()
        if not learner or len(learner) > 200:
            errors[str(number)] = {"learner_id": ["required, at most 200 characters"]}
        rows.append((number, learner))
    if len(rows) > MAX_CSV_ROWS:
        raise InvalidInput(f"at most {MAX_CSV_ROWS} rows per file", {"rows": {}})
    if not rows:
        raise InvalidInput("the CSV has no rows", {"rows": {}})
    if errors:
        raise InvalidInput("the file has rows that cannot be enrolled; nothing was enrolled", {"rows": errors})
    return rows
