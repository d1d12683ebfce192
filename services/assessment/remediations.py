"""Tutoring of weak points: a learner whose released result failed, or passed with weak topics,
gets a remediation assignment (RemediationAssigned.v1) that a trainer closes after tutoring.

    open → closed

Assigned by assessment's own handler of ExamGraded.v1, one per result (a unique index on the
result id): a redelivered event assigns nothing twice. Pre-tests, taken before the training,
assign none.
"""
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from shared.identity import is_staff
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.assessment.contract import DONE, OPEN
from services.assessment.access import own_record, require_manager
from services.assessment.store import REMEDIATIONS

REMEDIATION_STATES = StateMachine(REMEDIATIONS, "remediation", {"close": ((OPEN,), DONE)})


def assign_for_result(db, graded, exam, now, due_days, new_event):
    """The remediation a released result calls for (None if it calls for none)."""
    if graded["pre_test"] or (graded["passed"] and not graded["weak_topics"]):
        return None
    remediation_id = new_id("remediation")
    reason = "weak_topics" if graded["passed"] else "failed"
    topics = graded["weak_topics"] or exam["topics"]
    due_at = now + timedelta(days=due_days)
    event = new_event("RemediationAssigned.v1", remediation_id, {
        "remediation_id": remediation_id, "learner_id": graded["learner_id"], "exam_id": exam["_id"],
        "session_id": graded["session_id"], "topics": topics, "reason": reason, "assigned_at": now, "due_at": due_at})
    doc = {"_id": remediation_id, "learner_id": graded["learner_id"], "exam_id": exam["_id"],
           "exam_title": exam["title"], "session_id": graded["session_id"], "result_id": graded["submission_id"],
           "topics": topics, "reason": reason, "status": OPEN, "trainer_ids": exam["trainer_ids"],
           "assigned_at": now, "due_at": due_at, "closed_by": None, "closed_at": None, "note": None,
           "history": [], "outbox": [event]}
    try:
        db[REMEDIATIONS].insert_one(doc)
    except DuplicateKeyError:
        return db[REMEDIATIONS].find_one({"result_id": graded["submission_id"]})
    return doc


def remediation_for(db, remediation_id, actor):
    return own_record(fetch(db[REMEDIATIONS], remediation_id, "remediation"), actor, "remediation")


def list_remediations(db, actor, status=None, exam_id=None, session_id=None, learner_id=None, limit=20, offset=0):
    if not is_staff(actor):
        learner_id = actor["id"]
    query = {key: value for key, value in (("status", status), ("exam_id", exam_id), ("session_id", session_id),
                                           ("learner_id", learner_id)) if value is not None}
    return page(db[REMEDIATIONS], query, [("assigned_at", -1), ("_id", 1)], limit, offset)


def close_remediation(db, remediation_id, note, actor, now):
    """A trainer of the assessment (or a specialist or supervisor) closes it after tutoring."""
    remediation = require_manager(fetch(db[REMEDIATIONS], remediation_id, "remediation"), actor)
    return REMEDIATION_STATES.apply(db, remediation, "close", now=now,
                                    changes={"closed_by": actor["id"], "closed_at": now, "note": note},
                                    history={"action": "closed", "by": actor["id"]})
