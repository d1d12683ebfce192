"""Analytics for planning and evaluation: completion and pass rates, training hours and score
trends by course, user type, company, department or period; certificates about to expire;
learners enrolled who never completed a session.

Erased learners still count: their records name the tombstone's pseudonym, which keeps the
company, department, user type and industry. Pre-tests do not count as results.
"""
from collections import defaultdict
from datetime import timedelta

from services.archive.history import is_valid
from services.archive.registry import attributes_by_learner
from services.archive.store import CERTIFICATES, RECORDS, RESULTS, between


def analytics(db, query, today, include_learners):
    period_of = PERIODS[query["period"]]
    records = list(db[RECORDS].find(between("starts_at", query["since"], query["until"])))
    results = list(db[RESULTS].find(dict(between("graded_at", query["since"], query["until"]), pre_test={"$ne": True})))
    attributes = attributes_by_learner(db)
    courses = {record["session_id"]: record["title"] for record in records if record.get("title")}

    def course_of(item):
        return item.get("title") if "submission_id" not in item else courses.get(item.get("session_id"), item.get("title"))

    def key_of(item, moment):
        if query["group_by"] == "course":
            return course_of(item)
        if query["group_by"] == "period":
            return period_of(moment) if moment else None
        return attributes.get(item["learner_id"], {}).get(query["group_by"])

    def wanted(item):
        return ((not query["user_type"] or attributes.get(item["learner_id"], {}).get("user_type") == query["user_type"])
                and (not query["course"] or query["course"].casefold() in (course_of(item) or "").casefold()))

    records = [record for record in records if wanted(record)]
    results = [result for result in results if wanted(result)]
    groups = defaultdict(lambda: ([], []))
    for record in records:
        groups[key_of(record, record.get("starts_at"))][0].append(record)
    for result in results:
        groups[key_of(result, result["graded_at"])][1].append(result)
    trend = defaultdict(list)
    for result in results:
        trend[(key_of(result, result["graded_at"]) if query["group_by"] != "period" else None,
               period_of(result["graded_at"]))].append(result)
    return {
        "totals": rates(records, results),
        "grouped_by": query["group_by"],
        "groups": [dict(rates(*groups[key]), group=key) for key in sorted(groups, key=str)],
        "score_trend": [{"group": group, "period": period, "results": len(items),
                         "average_score": round(sum(item["score"] for item in items) / len(items), 2),
                         "pass_rate": round(sum(1 for item in items if item["passed"]) / len(items), 4)}
                        for (group, period), items in sorted(trend.items(), key=lambda entry: (str(entry[0][0]),
                                                                                               entry[0][1]))],
        "expiring_certificates": expiring(db, today, query["expiring_within_days"], include_learners),
        "enrolled_never_completed": never_completed(db, include_learners),
    }


def rates(records, results):
    enrolments = [record for record in records if (record.get("enrolment") or {}).get("status") == "enrolled"
                  or record["completed"]]
    took_place = [record for record in enrolments if record["session_status"] == "completed"]
    completed = [record for record in took_place if record["completed"]]
    passed = [result for result in results if result["passed"]]
    return {"enrolments": len(enrolments), "completed": len(completed),
            "completion_rate": round(len(completed) / len(took_place), 4) if took_place else None,
            "training_hours": round(sum(record["hours"] for record in completed), 2),
            "results": len(results), "passed": len(passed),
            "pass_rate": round(len(passed) / len(results), 4) if results else None,
            "average_score": round(sum(result["score"] for result in results) / len(results), 2) if results else None}


def expiring(db, today, within_days, include_learners):
    until = (today + timedelta(days=within_days)).isoformat()
    found = db[CERTIFICATES].find({"expires_at": {"$gte": today.isoformat(), "$lte": until}}).sort(
        [("expires_at", 1), ("_id", 1)])
    return [{"certificate_id": certificate["_id"], "title": certificate["title"], "topic": certificate["topic"],
             "expires_at": certificate["expires_at"],
             "learner_id": certificate["learner_id"] if include_learners else None}
            for certificate in found if is_valid(certificate, today)]


def never_completed(db, include_learners):
    """Learners with a live enrolment (or one that ran its course) and no completed session."""
    enrolled, completed = set(), set()
    for record in db[RECORDS].find({}, {"learner_id": 1, "enrolment": 1, "completed": 1}):
        if record["completed"]:
            completed.add(record["learner_id"])
        elif (record.get("enrolment") or {}).get("status") == "enrolled":
            enrolled.add(record["learner_id"])
    learners = sorted(enrolled - completed)
    return {"count": len(learners), "learner_ids": learners if include_learners else []}


PERIODS = {
    "month": lambda moment: f"{moment:%Y-%m}",
    "quarter": lambda moment: f"{moment.year}-Q{(moment.month - 1) // 3 + 1}",
    "year": lambda moment: f"{moment.year}",
}
