"""Learners taking assessments: online exams and homework answered in the platform, project work
handed in.

    in_progress → submitted (short answers or rubric work wait for a trainer) → graded → released
                ↘ graded (everything marked at once) ↗

Only a learner the assessment is open to takes it, under their own id, within its opening
hours and its number of attempts. Each attempt has a deadline on the server's clock: the start
plus the time limit, or the closing time if sooner. Answers are saved as the learner goes and
only until the deadline. A submission after the deadline is accepted and graded **as of the
deadline**: the answers saved in time count, the answers sent with the late submission do not,
and it is marked late. An attempt nobody submits is submitted the same way by a timer once its
deadline passes. Every submission is one write guarded by the attempt's state, so of two
submissions of one attempt at the same moment exactly one counts; the other gets a Conflict.
"""
import random

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, NotFound
from shared.identity import is_staff
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.assessment import grading
from services.assessment.access import own_record
from services.assessment.contract import GRADED, HANDED_IN, IN_PROGRESS, PUBLISHED, RELEASED, SUBMITTED, TAKEN_ONLINE
from services.assessment.exams import exam_for, get_exam
from services.assessment.questions import topic_key
from services.assessment.store import ATTEMPTS


class AttemptStates(StateMachine):
    def conflict(self, doc, action, **details):
        state = doc[self.status_field]
        return Conflict(f"cannot {action} an attempt that is {state.replace('_', ' ')}",
                        dict({"status": state, "attempt_id": doc["_id"]}, **details))


ATTEMPT_STATES = AttemptStates(ATTEMPTS, "attempt", {
    "submit": ((IN_PROGRESS,), SUBMITTED),  # some answers wait for a trainer
    "submit_graded": ((IN_PROGRESS,), GRADED),  # every answer was marked at once
    "grade": ((SUBMITTED,), GRADED),
    "release": ((GRADED,), RELEASED),
    "answer": ((IN_PROGRESS,), IN_PROGRESS),
})
# A save landing between a submission's read and write makes the submission read again.
SUBMIT_ROUNDS = 5


def start_attempt(db, exam_id, actor, now, new_event, rng=random):
    """The learner's attempt in progress, or a new one; Conflict when none may be started."""
    exam = exam_for(db, exam_id, actor)
    if exam["method"] not in TAKEN_ONLINE:
        raise Conflict(f"a {exam['method']} assessment is not answered online", {"method": exam["method"]})
    previous = list(db[ATTEMPTS].find({"exam_id": exam_id, "learner_id": actor["id"]}).sort("number", 1))
    running = next((attempt for attempt in previous if attempt["status"] == IN_PROGRESS), None)
    if running and not overdue(running, now):
        return running
    if running:  # its time ran out and the timer has not submitted it yet
        try:
            finish(db, running, {}, now, "assessment", new_event)
        except Conflict:
            pass  # submitted meanwhile
    require_open(exam, now)
    number = len(previous) + 1
    require_attempts_left(exam, number)
    attempt = new_attempt(exam, actor, number, now, IN_PROGRESS)
    attempt.update(deadline=grading.deadline(now, exam["time_limit_minutes"], exam["closes_at"]),
                   items=[dict(item, answer=None, awarded=None, comment=None) for item in drawn(exam, rng)])
    try:
        db[ATTEMPTS].insert_one(attempt)
    except DuplicateKeyError:  # the same learner started it a moment ago, from another tab
        return db[ATTEMPTS].find_one({"exam_id": exam_id, "learner_id": actor["id"], "number": number})
    return attempt


def hand_in(db, exam_id, work, actor, now, new_event):
    """Project work handed in: it waits in the grading queue."""
    exam = exam_for(db, exam_id, actor)
    if exam["method"] not in HANDED_IN:
        raise Conflict(f"a {exam['method']} assessment takes no hand-ins", {"method": exam["method"]})
    require_open(exam, now)
    number = db[ATTEMPTS].count_documents({"exam_id": exam_id, "learner_id": actor["id"]}) + 1
    require_attempts_left(exam, number)
    attempt = new_attempt(exam, actor, number, now, SUBMITTED)
    attempt.update(work=work, submitted_at=now, outbox=[submitted_event(new_event, attempt, now)])
    try:
        db[ATTEMPTS].insert_one(attempt)
    except DuplicateKeyError:
        raise Conflict("this work was handed in a moment ago", {"number": number}) from None
    return attempt


def new_attempt(exam, actor, number, now, status):
    return {"_id": new_id("attempt"), "exam_id": exam["_id"], "learner_id": actor["id"], "number": number,
            "session_id": exam["session_id"], "method": exam["method"], "pass_score": exam["pass_score"],
            "status": status, "started_at": now, "deadline": None, "submitted_at": None, "late": False,
            "items": [], "work": None, "history": [], "outbox": []}


def require_open(exam, now):
    if exam["status"] != PUBLISHED:
        raise Conflict(f"exam {exam['_id']} is {exam['status']}: it takes no attempts", {"status": exam["status"]})
    if exam["opens_at"] and now < exam["opens_at"]:
        raise Conflict(f"exam {exam['_id']} opens at {exam['opens_at'].isoformat()}", {"opens_at": exam["opens_at"]})
    if exam["closes_at"] and now >= exam["closes_at"]:
        raise Conflict(f"exam {exam['_id']} closed at {exam['closes_at'].isoformat()}",
                       {"closes_at": exam["closes_at"]})


def require_attempts_left(exam, number):
    if number > exam["attempts_allowed"]:
        raise Conflict(f"no attempts left: {exam['attempts_allowed']} allowed",
                       {"attempts_allowed": exam["attempts_allowed"], "attempts": number - 1})


def drawn(exam, rng):
    """The questions of one attempt: the fixed ones, or a random draw per rule from the pool."""
    if not exam["draw"]:
        return exam["questions"]
    items = []
    for rule in exam["draw"]:
        matching = [item for item in exam["questions"] if topic_key(item["topic"]) == topic_key(rule["topic"])
                    and rule["difficulty"] in (None, item["difficulty"])]
        items += rng.sample(matching, rule["count"])
    return items


def overdue(attempt, now):
    return attempt["deadline"] is not None and now > attempt["deadline"]


def attempt_for(db, exam_id, attempt_id, actor):
    """An attempt of this exam; a learner sees only their own."""
    attempt = fetch(db[ATTEMPTS], attempt_id, "attempt")
    if attempt["exam_id"] != exam_id:
        raise NotFound(f"attempt {attempt_id} does not exist", {"attempt_id": attempt_id})
    return own_record(attempt, actor, "attempt")


def own_attempt(db, exam_id, attempt_id, actor):
    """An attempt the caller may answer: their own (nobody answers on a learner's behalf)."""
    attempt = attempt_for(db, exam_id, attempt_id, actor)
    if attempt["learner_id"] != actor["id"]:
        raise Forbidden("only the learner answers their attempt", {"attempt_id": attempt_id})
    return attempt


def list_attempts(db, exam_id, actor, status=None, learner_id=None, limit=20, offset=0):
    exam_for(db, exam_id, actor)  # 404 for an exam the caller may not see
    if not is_staff(actor):
        learner_id = actor["id"]
    query = {key: value for key, value in (("exam_id", exam_id), ("status", status), ("learner_id", learner_id))
             if value is not None}
    return page(db[ATTEMPTS], query, [("learner_id", 1), ("number", 1)], limit, offset)


def save_answers(db, exam_id, attempt_id, answers, actor, now):
    """Save answers (each replaces the question's earlier answer) until the deadline."""
    attempt = ATTEMPT_STATES.require(own_attempt(db, exam_id, attempt_id, actor), "answer")
    if overdue(attempt, now):
        raise time_is_up(attempt)
    checked = grading.checked_answers(attempt["items"], answers)
    positions = {item["question_id"]: index for index, item in enumerate(attempt["items"])}
    guard = {"_id": attempt_id, "status": IN_PROGRESS}
    if attempt["deadline"] is not None:
        guard["deadline"] = {"$gte": now}
    updated = db[ATTEMPTS].find_one_and_update(
        guard, {"$set": {f"items.{positions[question_id]}.answer": answer for question_id, answer in checked.items()},
                "$inc": {"saves": 1}}, return_document=ReturnDocument.AFTER)
    if updated is None:
        latest = fetch(db[ATTEMPTS], attempt_id, "attempt")
        raise time_is_up(latest) if latest["status"] == IN_PROGRESS else ATTEMPT_STATES.conflict(latest, "answer")
    return updated


def time_is_up(attempt):
    return Conflict(f"time was up at {attempt['deadline'].isoformat()}: answers are no longer saved; submit the "
                    "attempt to have it graded as of the deadline", {"status": attempt["status"],
                                                                     "deadline": attempt["deadline"]})


def submit_attempt(db, exam_id, attempt_id, answers, actor, now, new_event):
    """Hand in an attempt with its last answers; graded at once unless short answers wait for a
    trainer. After the deadline it is graded as of the deadline (the answers sent now do not count)."""
    for _ in range(SUBMIT_ROUNDS):
        attempt = ATTEMPT_STATES.require(own_attempt(db, exam_id, attempt_id, actor), "submit")
        final = {} if overdue(attempt, now) else grading.checked_answers(attempt["items"], answers)
        submitted = finish(db, attempt, final, now, actor["id"], new_event)
        if submitted is not None:
            return submitted
    raise Conflict("the attempt kept changing while it was submitted; submit it again", {"status": IN_PROGRESS})


def finish(db, attempt, final_answers, now, by, new_event):
    """Submit an attempt in one write guarded by its state and its saves; the attempt as
    written, None if a save got in first, Conflict if it was submitted meanwhile."""
    late = overdue(attempt, now)
    answers = dict({item["question_id"]: item["answer"] for item in attempt["items"] if item["answer"]},
                   **final_answers)
    items = grading.marked(attempt["items"], answers)
    changes = {"items": items, "submitted_at": now, "late": late}
    waiting = grading.pending(items)
    if not waiting:
        changes.update(grading.result(grading.question_parts(items), attempt["pass_score"]),
                       graded_by="assessment", graded_at=now)
    try:
        return ATTEMPT_STATES.apply(db, attempt, "submit" if waiting else "submit_graded", changes=changes,
                                    events=[submitted_event(new_event, dict(attempt, late=late), now)],
                                    guard={"saves": attempt.get("saves")}, now=now,
                                    history={"action": "submitted late" if late else "submitted", "by": by})
    except Conflict as conflict:
        if conflict.details["status"] == IN_PROGRESS:
            return None
        raise


def submitted_event(new_event, attempt, now):
    return new_event("ExamSubmitted.v1", attempt["_id"], {
        "submission_id": attempt["_id"], "exam_id": attempt["exam_id"], "learner_id": attempt["learner_id"],
        "session_id": attempt["session_id"], "attempt": attempt["number"], "late": attempt["late"],
        "submitted_at": now})


def submit_overdue(db, now, new_event):
    """Submit every attempt whose deadline has passed, as of its deadline; returns their ids."""
    submitted = []
    for attempt in db[ATTEMPTS].find({"status": IN_PROGRESS, "deadline": {"$lt": now}}):
        try:
            if finish(db, attempt, {}, now, "assessment", new_event) is not None:
                submitted.append(attempt["_id"])
        except Conflict:
            pass  # its learner submitted it meanwhile
    return submitted


def is_released(attempt):
    return attempt["status"] == RELEASED


def shows_marks(attempt, actor):
    """Marks and answer keys: staff see them once graded; a learner once the result is released."""
    return is_released(attempt) or (is_staff(actor) and attempt["status"] in (GRADED, SUBMITTED))
