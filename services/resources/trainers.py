"""The trainer pool: profiles (qualifications, languages, working hours, leave), development
(trainings attended, certifications) and periodic evaluations.

A trainer's id is their sign-in subject, the id sessions name them by. Trainers keep their own
leave and development records; resource staff keep everyone's. Evaluations are decided by a
supervisor or manager and seen by evaluators and the trainer alone.
"""
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden
from shared.outbox import with_events
from shared.store import fetch, new_id, page, version_guard

from services.resources.contract import ACTIVE, REMOVED
from services.resources.store import TRAINERS

RESOURCE_STAFF = ("supervisor", "specialist", "admin")
EVALUATORS = ("supervisor", "manager", "admin")
# Who may read evaluations besides the trainer evaluated.
EVALUATION_READERS = EVALUATORS + ("auditor",)


def register_trainer(db, profile, actor, now):
    doc = dict(profile, _id=profile.pop("trainer_id"), status=ACTIVE, leave=[], trainings=[], certifications=[],
               evaluations=[], registered_by=actor["id"], registered_at=now, updated_at=now)
    try:
        db[TRAINERS].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict("this trainer or email is already in the pool",
                       {"trainer_id": doc["_id"], "email": doc["email"]}) from None
    return doc


def get_trainer(db, trainer_id):
    return fetch(db[TRAINERS], trainer_id, "trainer")


def visible_to(trainer, caller):
    """The trainer as `caller` may see them: evaluations only for evaluators and the trainer."""
    if may_read_evaluations(caller, trainer["_id"]):
        return trainer
    return dict(trainer, evaluations=[])


def may_read_evaluations(caller, trainer_id):
    return caller["id"] == trainer_id or bool(set(caller["roles"]) & set(EVALUATION_READERS))


def require_scorecard_access(caller, trainer):
    """Scorecards are for evaluators, auditors, resource staff and the trainer themself."""
    if not may_read_evaluations(caller, trainer["_id"]):
        require_self_or_staff(caller, trainer["_id"])


def require_self_or_staff(caller, trainer_id):
    if caller["id"] != trainer_id and not set(caller["roles"]) & set(RESOURCE_STAFF):
        raise Forbidden("trainers keep only their own records", {"trainer_id": trainer_id})


def list_trainers(db, topic=None, product=None, tier=None, language=None, status=None, limit=20, offset=0):
    query = {key: value for key, value in (("topics", topic), ("products", product), ("tiers", tier),
                                           ("languages", language), ("status", status)) if value}
    return page(db[TRAINERS], query, [("name", 1), ("_id", 1)], limit, offset)


def active_trainers(db):
    return list(db[TRAINERS].find({"status": ACTIVE}).sort([("name", 1), ("_id", 1)]))


def change(db, trainer_id, update, guard=None, refusal="the trainer changed meanwhile; try again"):
    """One write to a trainer, which raises its version (NotFound if there is none; Conflict if
    `guard` does not hold)."""
    updated = db[TRAINERS].find_one_and_update({"_id": trainer_id, **(guard or {})},
                                               dict(update, **{"$inc": {"version": 1}}),
                                               return_document=ReturnDocument.AFTER)
    if updated is None:
        trainer = get_trainer(db, trainer_id)
        raise Conflict(refusal, {"trainer_id": trainer_id, "status": trainer["status"],
                                 "version": trainer.get("version", 0)})
    return updated


def update_profile(db, trainer_id, changes, caller, now):
    require_self_or_staff(caller, trainer_id)
    if "email" in changes:
        clash = db[TRAINERS].find_one({"email": changes["email"], "_id": {"$ne": trainer_id}}, {"_id": 1})
        if clash:
            raise Conflict("another trainer has this email", {"email": changes["email"]})
    changes = dict(changes)
    expected = changes.pop("version", None)
    return change(db, trainer_id, {"$set": dict(changes, updated_at=now)}, guard=version_guard(expected),
                  refusal=f"the trainer changed since version {expected}; read it again and redo your change")


def add_record(db, trainer_id, field, record, caller, now):
    """Append a leave period, training or certification (each gets an id)."""
    require_self_or_staff(caller, trainer_id)
    record = dict(record, id=new_id(field.rstrip("s")), recorded_by=caller["id"])
    return change(db, trainer_id, {"$push": {field: record}, "$set": {"updated_at": now}}), record


def remove_leave(db, trainer_id, leave_id, caller, now):
    require_self_or_staff(caller, trainer_id)
    return change(db, trainer_id, {"$pull": {"leave": {"id": leave_id}}, "$set": {"updated_at": now}})


def record_evaluation(db, trainer_id, evaluation, scorecard, caller, new_event, now):
    """One evaluation per trainer and period, written with TrainerEvaluated.v1; the outcome
    `remove` takes the trainer out of the pool in the same write."""
    record = dict(evaluation, scorecard=scorecard, evaluated_by=caller["id"], evaluated_at=now)
    event = new_event("TrainerEvaluated.v1", trainer_id, {
        "trainer_id": trainer_id, "period": evaluation["period"], "outcome": evaluation["outcome"],
        "reason": evaluation["reason"], "sessions_delivered": scorecard["sessions_delivered"],
        "hours_delivered": scorecard["hours_delivered"], "on_time_rate": scorecard["on_time_rate"],
        "average_rating": scorecard["average_rating"], "pass_rate": scorecard["pass_rate"], "evaluated_at": now})
    changes = {"updated_at": now}
    if evaluation["outcome"] == "remove":
        changes["status"] = REMOVED
    update = with_events({"$push": {"evaluations": record}, "$set": changes}, event)
    return change(db, trainer_id, update, guard={"evaluations.period": {"$ne": evaluation["period"]}},
                  refusal=f"the trainer is already evaluated for {evaluation['period']}")
