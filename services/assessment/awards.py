"""Recognition of top performers: once an assessment is closed and every result released, its
trainers grant awards by its rule (or the configured default): the best `top_count` results at
or above `min_score`, everyone tied with the last of them included.

Awards are granted once per assessment. Each is keyed by assessment and learner (a unique
index), and the assessment is marked only after they are written, so granting again after a
crash halfway completes the same awards.
"""
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict
from shared.identity import is_staff
from shared.store import new_id, page

from services.assessment import analysis
from services.assessment.contract import CLOSED, GRADED, RELEASED, SUBMITTED
from services.assessment.exams import exam_for, history_entry, managed_exam
from services.assessment.reports import best_results
from services.assessment.store import ATTEMPTS, AWARDS, EXAMS


def grant_awards(db, exam_id, default_rule, actor, now):
    exam = managed_exam(db, exam_id, actor)
    if exam["status"] != CLOSED:
        raise Conflict("close the assessment first: awards go to its final results", {"status": exam["status"]})
    if exam["awards_granted_at"]:
        raise Conflict("awards were granted already", {"awards_granted_at": exam["awards_granted_at"]})
    unreleased = db[ATTEMPTS].count_documents({"exam_id": exam_id, "status": {"$in": [SUBMITTED, GRADED]}})
    if unreleased:
        raise Conflict(f"{unreleased} result(s) are not released yet", {"unreleased": unreleased})
    rule = exam["recognition"] or default_rule
    for rank, result in analysis.top_performers(best_results(db, {"exam_id": exam_id}, (RELEASED,)), **rule):
        try:
            db[AWARDS].insert_one({"_id": new_id("award"), "exam_id": exam_id, "learner_id": result["learner_id"],
                                   "result_id": result["_id"], "rank": rank, "score": result["score"], "rule": rule,
                                   "awarded_by": actor["id"], "awarded_at": now})
        except DuplicateKeyError:
            pass  # granted by an earlier call that stopped halfway
    db[EXAMS].update_one({"_id": exam_id, "awards_granted_at": None},
                         {"$set": {"awards_granted_at": now},
                          "$push": {"history": history_entry("awarded", actor, now)}})
    return list_awards(db, exam_id, actor, limit=100)


def list_awards(db, exam_id, actor, limit=20, offset=0):
    """An assessment's awards, best first; a learner sees only their own."""
    exam_for(db, exam_id, actor)
    query = {"exam_id": exam_id} if is_staff(actor) else {"exam_id": exam_id, "learner_id": actor["id"]}
    return page(db[AWARDS], query, [("rank", 1), ("learner_id", 1)], limit, offset)
