"""Results: the grading queue, trainers' marks, and releasing results to learners.

Short answers and rubric work (project hand-ins) wait in the grading queue of the assessment's
trainers. A graded result stays with staff until a trainer releases it: only then does its
learner see the score, the marks and the answer key, and only then is ExamGraded.v1 published
(written with the release, in the same guarded update, so each result is released once).
"""
from shared.errors import Conflict, InvalidInput
from shared.identity import is_staff
from shared.store import page

from services.assessment import grading
from services.assessment.access import manages_all
from services.assessment.attempts import ATTEMPT_STATES, attempt_for
from services.assessment.contract import GRADED, RELEASED, RESULT_STATUSES, RUBRIC_METHODS, SUBMITTED
from services.assessment.exams import exam_for, managed_exam
from services.assessment.store import ATTEMPTS, EXAMS


def grading_queue(db, actor, exam_id=None, session_id=None, limit=20, offset=0):
    """Submitted work waiting for a trainer, oldest first; a trainer sees their assessments' only."""
    query = {"status": SUBMITTED}
    if session_id:
        query["session_id"] = session_id
    if exam_id:
        query["exam_id"] = exam_id
    if not manages_all(actor):
        managed = [exam["_id"] for exam in db[EXAMS].find({"trainer_ids": actor["id"]}, {"_id": 1})]
        query["exam_id"] = {"$in": [each for each in managed if exam_id in (None, each)]}
    total, attempts = page(db[ATTEMPTS], query, [("submitted_at", 1), ("_id", 1)], limit, offset)
    titles = {exam["_id"]: exam["title"]
              for exam in db[EXAMS].find({"_id": {"$in": [attempt["exam_id"] for attempt in attempts]}}, {"title": 1})}
    return total, [dict(attempt, exam_title=titles.get(attempt["exam_id"]),
                        pending=grading.pending(attempt["items"]) or ["rubric"]) for attempt in attempts]


def grade_attempt(db, exam_id, attempt_id, marks, actor, now):
    """A trainer's marks for every short answer, or every rubric criterion, of a submitted attempt."""
    exam = managed_exam(db, exam_id, actor)
    attempt = attempt_for(db, exam_id, attempt_id, actor)
    ATTEMPT_STATES.require(attempt, "grade")
    if exam["method"] in RUBRIC_METHODS:
        if marks["items"]:
            raise InvalidInput(f"a {exam['method']} is graded by its rubric", {"fields": {"items": ["not used"]}})
        chosen = {mark["criterion"].strip().lower(): mark["level"] for mark in marks["criteria"]}
        changes = rubric_result(exam, chosen, len(marks["criteria"]))
    else:
        if marks["criteria"]:
            raise InvalidInput("this assessment has no rubric", {"fields": {"criteria": ["not used"]}})
        items = grading.with_trainer_marks(attempt["items"], marks["items"])
        changes = dict(grading.result(grading.question_parts(items), exam["pass_score"]), items=items)
    changes.update(comment=marks["comment"], graded_by=actor["id"], graded_at=now)
    return ATTEMPT_STATES.apply(db, attempt, "grade", changes=changes, now=now,
                                history={"action": "graded", "by": actor["id"]})


def rubric_result(exam, chosen, given):
    """Result fields of rubric work from {criterion: level}; InvalidInput naming each bad criterion."""
    scores, errors = grading.rubric_marks(exam["rubric"], chosen)
    if len(chosen) != given:
        errors["criteria"] = ["a criterion is marked twice"]
    if errors:
        raise InvalidInput("mark every criterion of the rubric with one of its levels", {"fields": errors})
    return dict(grading.result(grading.rubric_parts(scores), exam["pass_score"]), rubric_scores=scores)


def release_results(db, exam_id, learner_ids, actor, now, new_event):
    """Release graded results (all, or these learners'): each publishes ExamGraded.v1 once."""
    exam = managed_exam(db, exam_id, actor)
    query = {"exam_id": exam_id, "status": GRADED}
    if learner_ids:
        query["learner_id"] = {"$in": learner_ids}
    released = []
    for attempt in db[ATTEMPTS].find(query).sort([("learner_id", 1), ("number", 1)]):
        event = new_event("ExamGraded.v1", attempt["_id"], graded_data(exam, attempt))
        try:
            ATTEMPT_STATES.apply(db, attempt, "release", changes={"released_by": actor["id"], "released_at": now},
                                 events=[event], now=now, history={"action": "released", "by": actor["id"]})
            released.append(attempt["_id"])
        except Conflict as conflict:
            if conflict.details["status"] != RELEASED:
                raise  # not a concurrent release: something is wrong
    waiting = db[ATTEMPTS].count_documents({"exam_id": exam_id, "status": SUBMITTED})
    return {"released": len(released), "result_ids": released, "still_to_grade": waiting}


def graded_data(exam, attempt):
    return {"submission_id": attempt["_id"], "exam_id": exam["_id"], "learner_id": attempt["learner_id"],
            "session_id": attempt["session_id"], "score": attempt["score"], "pass_score": exam["pass_score"],
            "passed": attempt["passed"], "weak_topics": attempt["weak_topics"], "graded_at": attempt["graded_at"],
            "method": exam["method"], "title": exam["title"], "attempt": attempt["number"],
            "topic_scores": attempt["topic_scores"], "pre_test": exam["pre_test"]}


def list_results(db, exam_id, actor, status=None, learner_id=None, limit=20, offset=0):
    """Graded results; a learner sees only their own, once released."""
    exam_for(db, exam_id, actor)
    statuses = [status] if status in RESULT_STATUSES else [] if status else list(RESULT_STATUSES)
    if not is_staff(actor):
        learner_id, statuses = actor["id"], [each for each in statuses if each == RELEASED]
    query = {"exam_id": exam_id, "status": {"$in": statuses}}
    if learner_id:
        query["learner_id"] = learner_id
    return page(db[ATTEMPTS], query, [("learner_id", 1), ("number", 1)], limit, offset)
