"""Exams: drafted by staff with their answer key, then published for learners to take.

A learner sees only published exams, and never the answer key (the service dumps them through
the learner view).
"""
from pymongo import ReturnDocument

from shared.errors import Conflict, NotFound
from shared.events import utc_now
from shared.outbox import with_events
from shared.schemas import is_staff
from shared.store import fetch, new_id, page

from services.assessment.store import EXAMS

DRAFT, PUBLISHED = "draft", "published"
STATUSES = (DRAFT, PUBLISHED)


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
    exam = find_exam(db, exam_id)
    if exam["status"] != DRAFT:
        raise not_a_draft(exam)
    now = utc_now()
    event = new_event("ExamPublished.v1", exam_id, {
        "exam_id": exam_id, "session_id": exam["session_id"], "title": exam["title"],
        "pass_score": exam["pass_score"], "question_count": len(exam["questions"]),
        "topics": list(dict.fromkeys(question["topic"] for question in exam["questions"])),
        "published_by": actor["id"], "published_at": now})
    published = db[EXAMS].find_one_and_update(
        {"_id": exam_id, "status": DRAFT},
        with_events({"$set": {"status": PUBLISHED, "published_by": actor["id"], "published_at": now}}, event),
        return_document=ReturnDocument.AFTER)
    if published is None:  # published by someone else between our read and our write
        raise not_a_draft(find_exam(db, exam_id))
    return published


def not_found(exam_id):
    return NotFound(f"exam {exam_id} does not exist", {"exam_id": exam_id})


def not_a_draft(exam):
    return Conflict(f"exam {exam['_id']} is already {exam['status']}",
                    {"exam_id": exam["_id"], "status": exam["status"]})
