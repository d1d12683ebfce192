"""Bookings: a session's trainers, room and equipment, reserved on their calendars, with every
conflict found and free alternatives offered.

One booking per session, keyed by its id, answers the session's latest change (`sequence`: 0
when scheduled, then the number delivery gives each reschedule). Each attempt to book it gets a
new `check` number; calendar entries carry it, and the decision is written only if no later
check started meanwhile, so a stale attempt never overwrites a newer one and releases what it
held. The decision and its event (ResourcesReserved.v1 or ResourceConflictDetected.v1) are one
write.

All or nothing: a session in conflict holds nothing and lists every resource it cannot have, with
the reason. Resources are taken in one fixed order (by calendar id) and a session stops taking any
once one is refused, so sessions racing for the same set cannot each end up holding a part that
another needs: of sessions racing for one trainer and room, one gets both.
"""
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict
from shared.outbox import with_events
from shared.store import fetch, page

from services.resources import calendars, scorecards
from services.resources.availability import equipment_problems, missing, room_problems, trainer_problems
from services.resources.contract import CANCELLED, CONFLICT, EQUIPMENT, PENDING, RESERVED, ROOM, TRAINER
from services.resources.equipment import bookable_of_type, record_usage
from services.resources.rooms import open_rooms
from services.resources.store import BOOKINGS
from services.resources.store import EQUIPMENT as EQUIPMENT_COLLECTION
from services.resources.store import ROOMS, TRAINERS
from services.resources.trainers import active_trainers

SESSION_FIELDS = ("title", "format", "starts_at", "ends_at", "capacity", "tier", "topics", "trainer_ids", "room_id",
                  "venue", "equipment_ids")
NEW_BOOKING = {"format": None, "capacity": None, "tier": None, "topics": [], "trainer_ids": [], "room_id": None,
               "venue": None, "equipment_ids": []}
ALTERNATIVES_PER_KIND = 5
# Where each kind of resource is kept, and the booking field that asks for it.
REGISTERS = {TRAINER: (TRAINERS, "trainer_ids"), ROOM: (ROOMS, "room_id"), EQUIPMENT: (EQUIPMENT_COLLECTION,
                                                                                      "equipment_ids")}
CHECKS = {TRAINER: trainer_problems, ROOM: room_problems, EQUIPMENT: equipment_problems}
DELIVERY = "delivery"


def on_session_changed(db, session, sequence, action, new_event, now):
    """Book for a scheduled (sequence 0) or rescheduled session; returns the booking, or None
    when the change is older than what the booking already answers, or the session is cancelled."""
    booking = request(db, session, sequence, action, now)
    return decide(db, booking, new_event, now) if booking else None


def request(db, session, sequence, action, now):
    """Record what the session asks for, as a new pending check."""
    asked = {key: session[key] for key in SESSION_FIELDS if key in session}
    asked["trainer_ids"] = unique(asked.get("trainer_ids", []))
    asked["equipment_ids"] = unique(asked.get("equipment_ids", []))
    entry = {"action": action, "status": PENDING, "at": now, "by": DELIVERY}
    booking = db[BOOKINGS].find_one_and_update(
        {"_id": session["session_id"], "sequence": {"$lt": sequence}, "status": {"$ne": CANCELLED}},
        {"$set": dict(asked, sequence=sequence, status=PENDING, updated_at=now), "$inc": {"check": 1},
         "$push": {"history": entry}}, return_document=ReturnDocument.AFTER)
    if booking:
        return booking
    booking = dict(NEW_BOOKING, **asked, _id=session["session_id"], sequence=sequence, check=1, status=PENDING,
                   reserved=[], conflicts=[], alternatives=[], history=[entry], decided_at=None, completed_at=None,
                   outbox=[], updated_at=now)
    try:
        db[BOOKINGS].insert_one(booking)
        return booking
    except DuplicateKeyError:
        existing = db[BOOKINGS].find_one({"_id": session["session_id"]})
    if existing["sequence"] == sequence and existing["status"] == PENDING:
        return existing  # an attempt interrupted by a crash: finish it
    return None


def decide(db, booking, new_event, now, by=DELIVERY):
    """Hold every resource the session asks for, or find why not; write the decision and its event
    for this check."""
    session_id, check = booking["_id"], booking["check"]
    starts_at, ends_at = booking["starts_at"], booking["ends_at"]
    reserved, conflicts = reserve_all_or_nothing(db, booking)
    alternatives = free_alternatives(db, booking, conflicts) if conflicts else []
    status = CONFLICT if conflicts else RESERVED
    times = {"session_id": session_id, "starts_at": starts_at, "ends_at": ends_at}
    if conflicts:
        event = new_event("ResourceConflictDetected.v1", session_id, dict(
            times, conflicts=conflicts, alternatives=alternatives, detected_at=now))
    else:
        event = new_event("ResourcesReserved.v1", session_id, dict(times, reserved=reserved, reserved_at=now))
    decided = db[BOOKINGS].find_one_and_update(
        {"_id": session_id, "check": check, "status": PENDING},
        with_events({"$set": {"status": status, "reserved": reserved, "conflicts": conflicts,
                              "alternatives": alternatives, "decided_at": now, "updated_at": now},
                     "$push": {"history": {"action": "decided", "status": status, "at": now, "by": by}}}, event),
        return_document=ReturnDocument.AFTER)
    if decided is None:  # a later change or recheck took over: give back what this attempt held
        calendars.release_check(db, session_id, check)
        return get_booking(db, session_id)
    # What earlier checks held (all of it, when this one is a conflict).
    calendars.release(db, session_id, keep_check=None if conflicts else check)
    return decided


def reserve_all_or_nothing(db, booking):
    """(reserved, conflicts): every resource held, or none and every reason why not."""
    session_id, check = booking["_id"], booking["check"]
    starts_at, ends_at = booking["starts_at"], booking["ends_at"]
    conflicts = [{"kind": kind, "resource_id": None, "reason": "missing", "detail": detail}
                 for kind, detail in missing(booking)]
    fitting = []
    for kind, resource_id, resource, problems in assessed(db, booking):
        conflicts += [{"kind": kind, "resource_id": resource_id, "reason": reason, "detail": detail}
                      for reason, detail in problems]
        if not problems:
            fitting.append((calendars.calendar_id(kind, resource_id), kind, resource_id, resource["name"]))
    reserved = []
    for _, kind, resource_id, name in sorted(fitting):
        if conflicts:  # the session will not be booked: only say who else has the resource
            other = calendars.holder(db, kind, resource_id, session_id, starts_at, ends_at)
        else:
            other = calendars.hold(db, kind, resource_id, session_id, check, starts_at, ends_at)
        if other:
            conflicts.append({"kind": kind, "resource_id": resource_id, "reason": "double_booked",
                              "detail": f"{name} is booked for session {other} at that time"})
        else:
            reserved.append({"kind": kind, "resource_id": resource_id, "name": name})
    if conflicts:
        calendars.release_check(db, session_id, check)
        return [], conflicts
    return reserved, []


def assessed(db, booking):
    """(kind, id, resource or None, problems apart from its calendar) for every resource the session asks for."""
    for kind, (collection, field) in REGISTERS.items():
        wanted = booking[field] if isinstance(booking[field], list) else [booking[field]] if booking[field] else []
        found = {doc["_id"]: doc for doc in db[collection].find({"_id": {"$in": wanted}})} if wanted else {}
        for resource_id in wanted:
            resource = found.get(resource_id)
            yield kind, resource_id, resource, CHECKS[kind](resource, booking)


def free_alternatives(db, booking, conflicts):
    """Resources of each kind in conflict that fit the session and are free for its time."""
    kinds = {conflict["kind"] for conflict in conflicts}
    alternatives = []
    if TRAINER in kinds:
        fitting = [trainer for trainer in active_trainers(db)
                   if trainer["_id"] not in booking["trainer_ids"] and not trainer_problems(trainer, booking)]
        alternatives += free(db, TRAINER, fitting, booking)
    if ROOM in kinds:
        fitting = [room for room in open_rooms(db, booking["capacity"]) if room["_id"] != booking["room_id"]]
        alternatives += free(db, ROOM, fitting, booking)
    if EQUIPMENT in kinds:
        requested = {doc["_id"]: doc
                     for doc in db[EQUIPMENT_COLLECTION].find({"_id": {"$in": booking["equipment_ids"]}})}
        types = unique([requested[conflict["resource_id"]]["type"] for conflict in conflicts
                        if conflict["kind"] == EQUIPMENT and conflict["resource_id"] in requested])
        for item_type in types:
            fitting = [item for item in bookable_of_type(db, item_type) if item["_id"] not in booking["equipment_ids"]]
            alternatives += free(db, EQUIPMENT, fitting, booking)
    return alternatives


def free(db, kind, candidates, booking):
    taken = calendars.busy(db, kind, [candidate["_id"] for candidate in candidates], booking["_id"],
                           booking["starts_at"], booking["ends_at"])
    return [{"kind": kind, "resource_id": candidate["_id"], "name": candidate["name"]}
            for candidate in candidates if candidate["_id"] not in taken][:ALTERNATIVES_PER_KIND]


def cancel(db, session, now):
    """Release everything the session held; a later event about it changes nothing."""
    try:
        db[BOOKINGS].update_one(
            {"_id": session["session_id"], "status": {"$ne": CANCELLED}},
            {"$set": {"status": CANCELLED, "updated_at": now},
             "$setOnInsert": dict(NEW_BOOKING, title=session["title"], starts_at=session["starts_at"],
                                  ends_at=session["starts_at"], sequence=0, reserved=[], conflicts=[],
                                  alternatives=[], decided_at=None, completed_at=None, outbox=[]),
             "$inc": {"check": 1},
             "$push": {"history": {"action": "cancelled", "status": CANCELLED, "at": now, "by": DELIVERY}}},
            upsert=True)
    except DuplicateKeyError:
        pass  # cancelled already
    calendars.release(db, session["session_id"])


def recheck(db, session_id, caller, new_event, now):
    """Book again as the session stands (after a trainer's leave, a repair, a new room...)."""
    booking = db[BOOKINGS].find_one_and_update(
        {"_id": session_id, "status": {"$in": [PENDING, RESERVED, CONFLICT]}, "completed_at": None},
        {"$set": {"status": PENDING, "updated_at": now}, "$inc": {"check": 1},
         "$push": {"history": {"action": "rechecked", "status": PENDING, "at": now, "by": caller["id"]}}},
        return_document=ReturnDocument.AFTER)
    if booking is None:
        current = get_booking(db, session_id)
        state = "completed" if current.get("completed_at") else current["status"]
        raise Conflict(f"cannot recheck a booking that is {state}",
                       {"session_id": session_id, "status": current["status"]})
    return decide(db, booking, new_event, now, by=caller["id"])


def recheck_upcoming(db, kind, resource_id, caller, new_event, now):
    """Recheck the bookings of sessions yet to end that ask for this resource; returns them."""
    field = REGISTERS[kind][1]
    upcoming = list(db[BOOKINGS].find({field: resource_id, "status": {"$in": [RESERVED, CONFLICT]},
                                       "ends_at": {"$gt": now}, "completed_at": None}, {"_id": 1}))
    rechecked = []
    for booking in upcoming:
        try:
            rechecked.append(recheck(db, booking["_id"], caller, new_event, now))
        except Conflict:
            pass  # cancelled or completed meanwhile: nothing to book
    return rechecked


def session_completed(db, session, now):
    """A delivered session: its trainers' hours and plan execution, its equipment's usage log."""
    hours = scorecards.session_delivered(db, session)
    record_usage(db, session["equipment_ids"], session, hours, now)
    db[BOOKINGS].update_one({"_id": session["session_id"], "completed_at": None}, {"$set": {"completed_at": now}})


def get_booking(db, session_id):
    return fetch(db[BOOKINGS], session_id, "booking")


def list_bookings(db, status=None, trainer_id=None, room_id=None, equipment_id=None, starts_from=None,
                  starts_before=None, limit=20, offset=0):
    query = {key: value for key, value in (("status", status), ("trainer_ids", trainer_id), ("room_id", room_id),
                                           ("equipment_ids", equipment_id)) if value}
    if starts_from or starts_before:
        query["starts_at"] = {**({"$gte": starts_from} if starts_from else {}),
                              **({"$lt": starts_before} if starts_before else {})}
    return page(db[BOOKINGS], query, [("starts_at", 1), ("_id", 1)], limit, offset)


def unique(values):
    return list(dict.fromkeys(values))
