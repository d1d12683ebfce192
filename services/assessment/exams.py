"""Assessments of every method, who may take them and who manages them.

    draft → published → closed

An assessment copies its questions from the bank when it is created (fixed questions at the
version pinned, or for draw rules the pool each attempt draws from), so bank revisions never
change it. It is open to the attendees (present or late) of its session once delivery reports the
session completed, and to learners staff name; nobody else may take it or learn that it exists.
Its trainers manage it (services/assessment/access.py): publish, close, open, grade, release.
"""
from pymongo import ReturnDocument

from shared.errors import NotFound
from shared.identity import is_staff
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.assessment import questions
from services.assessment.access import TRAINER, require_manager
from services.assessment.contract import CLOSED, DRAFT, PUBLISHED
from services.assessment.store import EXAMS, SESSIONS

EXAM_STATES = StateMachine(EXAMS, "exam", {"publish": ((DRAFT,), PUBLISHED), "close": ((PUBLISHED,), CLOSED)})
OPENABLE = (DRAFT, PUBLISHED)  # states in which more learners may be let in
ATTENDED = ("present", "late")


def create_exam(db, request, actor, now):
    fixed, draw, rubric = request["questions"], request["draw"], request["rubric"]
    items = questions.pinned(db, fixed) if fixed else questions.pool(db, draw) if draw else []
    if rubric:
        rubric = {"criteria": [dict(criterion, topic=criterion["topic"] or criterion["name"])
                               for criterion in rubric["criteria"]]}
    topics = [criterion["topic"] for criterion in rubric["criteria"]] if rubric else \
        [rule["topic"] for rule in draw] if draw else [item["topic"] for item in items]
    exam_id = new_id("exam")
    doc = dict(request, _id=exam_id, questions=items, rubric=rubric, topics=list(dict.fromkeys(topics)),
               question_count=sum(rule["count"] for rule in draw) if draw else len(items),
               learner_ids=list(dict.fromkeys(request["learner_ids"])),
               trainer_ids=[actor["id"]] if TRAINER in actor["roles"] else [],
               status=DRAFT, created_by=actor["id"], created_at=now, updated_at=now, published_by=None,
               published_at=None, awards_granted_at=None, history=[history_entry("created", actor, now)], outbox=[])
    db[EXAMS].insert_one(doc)
    if request["session_id"]:
        # After the insert: a SessionCompleted handled meanwhile either saw this exam or left its
        # attendees in the sessions collection for this read.
        doc = join_session(db, exam_id, db[SESSIONS].find_one({"_id": request["session_id"]})) or doc
    return doc


def join_session(db, exam_id, session):
    if session is None:
        return None
    return db[EXAMS].find_one_and_update({"_id": exam_id}, open_to_attendees(session),
                                         return_document=ReturnDocument.AFTER)


def record_completed_session(db, data, now):
    """SessionCompleted.v1: the session's attendees may take its assessments, its trainers manage
    them. Idempotent: attendees and trainers are added as sets."""
    session = {"attendees": [entry["learner_id"] for entry in data["attendance"] if entry["status"] in ATTENDED],
               "trainer_ids": data["trainer_ids"]}
    db[SESSIONS].update_one({"_id": data["session_id"]}, {
        "$set": {"title": data["title"], "topics": data["topics"], "completed_at": data["completed_at"],
                 "recorded_at": now},
        "$addToSet": {"attendees": {"$each": session["attendees"]}, "trainer_ids": {"$each": session["trainer_ids"]}},
    }, upsert=True)
    db[EXAMS].update_many({"session_id": data["session_id"]}, open_to_attendees(session))


def open_to_attendees(session):
    return {"$addToSet": {"learner_ids": {"$each": session["attendees"]},
                          "trainer_ids": {"$each": session["trainer_ids"]}}}


def get_exam(db, exam_id):
    return fetch(db[EXAMS], exam_id, "exam")


def exam_for(db, exam_id, actor):
    """The assessment if the caller may see it: staff see all; a learner sees a published or
    closed one that is open to them, and otherwise learns nothing of it (404)."""
    exam = get_exam(db, exam_id)
    if is_staff(actor) or (exam["status"] != DRAFT and actor["id"] in exam["learner_ids"]):
        return exam
    raise NotFound(f"exam {exam_id} does not exist", {"exam_id": exam_id})


def list_exams(db, actor, session_id=None, method=None, status=None, limit=20, offset=0):
    query = {key: value for key, value in (("session_id", session_id), ("method", method), ("status", status))
             if value is not None}
    if not is_staff(actor):
        query = {"$and": [query, {"learner_ids": actor["id"], "status": {"$in": [PUBLISHED, CLOSED]}}]}
    return page(db[EXAMS], query, [("created_at", -1), ("_id", 1)], limit, offset)


def managed_exam(db, exam_id, actor):
    return require_manager(get_exam(db, exam_id), actor)


def publish_exam(db, exam_id, actor, new_event, now):
    """draft → published, with ExamPublished.v1 in the same write."""
    exam = EXAM_STATES.require(managed_exam(db, exam_id, actor), "publish")
    event = new_event("ExamPublished.v1", exam_id, {
        "exam_id": exam_id, "session_id": exam["session_id"], "title": exam["title"],
        "pass_score": exam["pass_score"], "question_count": exam["question_count"], "topics": exam["topics"],
        "published_by": actor["id"], "published_at": now, "method": exam["method"], "opens_at": exam["opens_at"],
        "closes_at": exam["closes_at"]})
    return EXAM_STATES.apply(db, exam, "publish", changes={"published_by": actor["id"], "published_at": now},
                             events=[event], history=history_entry("published", actor, now), now=now)


def close_exam(db, exam_id, actor, now):
    """published → closed: no new attempts or hand-ins; grading and releasing go on."""
    exam = managed_exam(db, exam_id, actor)
    return EXAM_STATES.apply(db, exam, "close", changes={"closes_at": min(filter(None, (exam["closes_at"], now)))},
                             history=history_entry("closed", actor, now), now=now)


def open_to(db, exam_id, learner_ids, actor, now):
    """Open a draft or published assessment to more learners (by hand)."""
    exam = managed_exam(db, exam_id, actor)
    if exam["status"] not in OPENABLE:
        raise EXAM_STATES.conflict(exam, "open")
    updated = db[EXAMS].find_one_and_update(
        {"_id": exam_id, "status": {"$in": list(OPENABLE)}},
        {"$addToSet": {"learner_ids": {"$each": learner_ids}},
         "$push": {"history": history_entry(f"opened to {len(learner_ids)} more learner(s)", actor, now)}},
        return_document=ReturnDocument.AFTER)
    if updated is None:
        raise EXAM_STATES.conflict(get_exam(db, exam_id), "open")
    return updated


def history_entry(action, actor, now):
    return {"action": action, "by": actor["id"], "at": now}
