"""Kirkpatrick level 4 (results): business indicators per course, before and after the
training (support tickets, adoption, ...), entered by staff."""
from shared.store import new_id, page

from services.feedback.store import INDICATORS


def record_indicator(db, request, actor, now):
    doc = dict(request, _id=new_id("indicator"), recorded_by=actor["id"], recorded_at=now)
    db[INDICATORS].insert_one(doc)
    return with_change(doc)


def with_change(indicator):
    """The indicator with its change, relative change and whether it moved the right way."""
    change = indicator["after"] - indicator["before"]
    better = change > 0 if indicator["better"] == "higher" else change < 0
    percent = round(100 * change / abs(indicator["before"]), 1) if indicator["before"] else None
    return dict(indicator, change=round(change, 4), change_percent=percent, improved=better)


def list_indicators(db, course=None, limit=20, offset=0):
    total, items = page(db[INDICATORS], {"course": course} if course else {}, [("recorded_at", -1), ("_id", 1)],
                        limit, offset)
    return total, [with_change(item) for item in items]


def indicators_of(db, courses):
    return [with_change(item) for item in db[INDICATORS].find({"course": {"$in": list(courses)}})
            .sort([("recorded_at", 1), ("_id", 1)])]
