"""Learners' answers to published exams, graded on arrival: one submission per learner per exam."""
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, NotFound
from shared.events import utc_now
from shared.identity import is_staff
from shared.store import new_id, page

from services.assessment import grading
from services.assessment.contract import PUBLISHED
from services.assessment.exams import find_exam
from services.assessment.store import SUBMISSIONS

LEARNER = "learner"
ONLINE = "online"


def submit_answers(db, exam_id, answers, actor, new_event):
    """Grade a learner's answers and keep the result, with ExamGraded.v1 in the same write.

    The learner is the actor: an online exam is taken in person, never on someone's behalf.
    """
    if LEARNER not in actor["roles"]:
        raise Forbidden("only a learner takes an online exam, under their own id", {"required_role": LEARNER})
    exam = find_exam(db, exam_id)
    if exam["status"] != PUBLISHED:
        raise Conflict(f"exam {exam_id} is not published, so it takes no answers",
                       {"exam_id": exam_id, "status": exam["status"]})
    result = grading.grade(exam["questions"], answers, exam["pass_score"])

    submission_id, learner_id, now = new_id("submission"), actor["id"], utc_now()
    event = new_event("ExamGraded.v1", submission_id, {
        "submission_id": submission_id, "exam_id": exam_id, "learner_id": learner_id,
        "session_id": exam["session_id"], "score": result["score"], "pass_score": exam["pass_score"],
        "passed": result["passed"], "weak_topics": result["weak_topics"], "graded_at": now,
        "method": ONLINE})
    doc = dict(result, _id=submission_id, exam_id=exam_id, learner_id=learner_id,
               session_id=exam["session_id"], answers=answers, pass_score=exam["pass_score"],
               method=ONLINE, graded_at=now, outbox=[event])
    try:
        db[SUBMISSIONS].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict(f"learner {learner_id} has already submitted answers to exam {exam_id}",
                       {"exam_id": exam_id, "learner_id": learner_id}) from None
    return doc


def list_submissions(db, exam_id, limit=20, offset=0):
    find_exam(db, exam_id)  # 404 for an unknown exam rather than an empty page
    return page(db[SUBMISSIONS], {"exam_id": exam_id}, [("graded_at", 1), ("_id", 1)], limit, offset)


def get_result(db, exam_id, learner_id, actor):
    """A learner reads only their own result; staff read any."""
    if not is_staff(actor) and actor["id"] != learner_id:
        raise Forbidden("a learner may read only their own result", {"learner_id": learner_id})
    submission = db[SUBMISSIONS].find_one({"exam_id": exam_id, "learner_id": learner_id})
    if submission is None:
        raise NotFound(f"learner {learner_id} has no result for exam {exam_id}",
                       {"exam_id": exam_id, "learner_id": learner_id})
    return submission
