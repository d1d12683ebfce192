"""Score reports per assessment and per session, and item analysis, from the store.

Every figure counts each learner once per assessment, by their best graded result (released or
not: reports are for staff); ties go to the earlier attempt.
"""
from shared.errors import Conflict, NotFound

from services.assessment import analysis
from services.assessment.contract import QUESTION_METHODS, RESULT_STATUSES, TAKEN_ONLINE
from services.assessment.exams import get_exam
from services.assessment.store import ATTEMPTS, EXAMS


def best_results(db, query, statuses=RESULT_STATUSES):
    best = {}
    for attempt in db[ATTEMPTS].find(dict(query, status={"$in": list(statuses)})).sort("number", 1):
        key = (attempt["exam_id"], attempt["learner_id"])
        if key not in best or attempt["score"] > best[key]["score"]:
            best[key] = attempt
    return list(best.values())


def exam_report(db, exam_id, top):
    return report_of(db, get_exam(db, exam_id), top)


def report_of(db, exam, top):
    figures = analysis.score_statistics(best_results(db, {"exam_id": exam["_id"]}), top)
    return dict(figures, exam_id=exam["_id"], title=exam["title"], method=exam["method"],
                session_id=exam["session_id"], pass_score=exam["pass_score"])


def session_report(db, session_id, top):
    exams = list(db[EXAMS].find({"session_id": session_id}).sort([("created_at", 1), ("_id", 1)]))
    if not exams:
        raise NotFound(f"session {session_id} has no assessments", {"session_id": session_id})
    return {"session_id": session_id, "exams": [report_of(db, exam, top) for exam in exams],
            "overall": analysis.score_statistics(best_results(db, {"session_id": session_id}), top)}


def item_analysis(db, exam_id):
    exam = get_exam(db, exam_id)
    if exam["method"] not in QUESTION_METHODS:
        raise Conflict(f"a {exam['method']} assessment has no questions to analyse", {"method": exam["method"]})
    figures = analysis.item_analysis(best_results(db, {"exam_id": exam_id}),
                                     with_answers=exam["method"] in TAKEN_ONLINE)
    return dict(figures, exam_id=exam_id)
