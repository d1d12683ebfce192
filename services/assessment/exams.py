"""Exams: drafted by staff with their answer key, then published for learners to take.

A learner sees only published exams, and never the answer key (the service dumps them through
the learner view).
"""
from shared.errors import NotFound
from shared.events import utc_now
from shared.identity import is_staff
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.assessment.contract import DRAFT, PUBLISHED
from services.assessment.store import EXAMS

EXAM_STATES = StateMachine(EXAMS, "exam", {"publish": ((DRAFT,), PUBLISHED)})


def create_exam(db, exam, actor):
    doc = dict(exam, _id=new_id("exam"), status=DRAFT,
               questions=[dict(question, question_id=new_id("question")) for question in exam["questions"]],
               created_by=actor["id"], created_at=utc_now(), published_by=None, published_at=None,
               outbox=[])
    db[EXAMS].insert_one(doc)
    return doc


def find_exam(db, exam_id):
    return fetch(db[EXAMS], exam_id, "exam")


def get_exam(db, exam_id, actor):
    exam = find_exam(db, exam_id)
    if exam["status"] != PUBLISHED and not is_staff(actor):
        raise not_found(exam_id)  # a learner does not learn that a draft exists
    return exam


def list_exams(db, actor, session_id=None, status=None, limit=20, offset=0):
    query = {key: value for key, value in (("session_id", session_id), ("status", status)) if value is not None}
    if not is_staff(actor):
        query = {"$and": [query, {"status": PUBLISHED}]}
    return page(db[EXAMS], query, [("created_at", -1), ("_id", 1)], limit, offset)


def publish_exam(db, exam_id, actor, new_event):
    """draft → published, with ExamPublished.v1 in the same write; 409 if not a draft."""
    exam = EXAM_STATES.require(find_exam(db, exam_id), "publish")
    now = utc_now()
    event = new_event("ExamPublished.v1", exam_id, {
        "exam_id": exam_id, "session_id": exam["session_id"], "title": exam["title"],
        "pass_score": exam["pass_score"], "question_count": len(exam["questions"]),
        "topics": list(dict.fromkeys(question["topic"] for question in exam["questions"])),
        "published_by": actor["id"], "published_at": now})
    return EXAM_STATES.apply(db, exam, "publish", changes={"published_by": actor["id"], "published_at": now},
                             events=[event], now=now)


def not_found(exam_id):
    return NotFound(f"exam {exam_id} does not exist", {"exam_id": exam_id})

