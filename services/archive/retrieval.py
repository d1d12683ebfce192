"""Retrieval: training records found by who the learner is, what and when they trained, with whom
and how it went; one page at a time, sorted, with counts per class over every match.

Learner attributes live in the registry and session facts on the records, so a search first
turns the learner filters into learner ids (indexed), then queries the records (indexed).
Trainers search only the records of their own sessions.
"""
import re
from collections import Counter

from shared.store import page

from services.archive.audit import READ_ALL
from services.archive.registry import attributes_by_learner, learner_ids_where
from services.archive.store import RECORDS, between

LEARNER_FILTERS = ("user_type", "organisation", "department", "industry", "email", "name")
SORTS = {"-starts_at": [("starts_at", -1), ("_id", 1)], "starts_at": [("starts_at", 1), ("_id", 1)],
         "title": [("title", 1), ("starts_at", -1), ("_id", 1)], "-title": [("title", -1), ("starts_at", -1), ("_id", 1)]}
NO_MATCH = {"_id": {"$in": []}}


def search(db, keyring, query, caller):
    """(total, page of records with the learner's attributes, counts per class or [])."""
    found = record_filter(db, keyring, query, caller)
    total, records = page(db[RECORDS], found, SORTS[query["sort"]], query["limit"], query["offset"])
    attributes = attributes_by_learner(db, {record["learner_id"] for record in records})
    items = [dict(attributes.get(record["learner_id"], {}), **record) for record in records]
    classes = classify(db, found, query["classify_by"]) if query["classify_by"] else []
    return total, items, classes


def record_filter(db, keyring, query, caller):
    conditions = []
    learner_ids = learner_ids_where(db, keyring, **{key: query[key] for key in LEARNER_FILTERS})
    if learner_ids is not None:
        conditions.append({"learner_id": {"$in": learner_ids}})
    for field, key in (("learner_id", "learner_id"), ("session_id", "session_id"), ("trainer_ids", "trainer_id"),
                       ("format", "format"), ("attendance.status", "attendance"), ("enrolment.status", "enrolment")):
        if query[key] is not None:
            conditions.append({field: query[key]})
    if query["course"]:
        pattern = {"$regex": re.escape(query["course"]), "$options": "i"}
        conditions.append({"$or": [{"title": pattern}, {"topics": pattern}]})
    if query["since"] or query["until"]:
        conditions.append(between("starts_at", query["since"], query["until"]))
    if query["result"]:
        conditions.append({"result": None} if query["result"] == "none"
                          else {"result.passed": query["result"] == "passed"})
    if not set(caller["roles"]) & set(READ_ALL):
        conditions.append({"trainer_ids": caller["id"]})  # a trainer sees their own sessions' records
    if learner_ids == []:
        return NO_MATCH
    return {"$and": conditions} if conditions else {}


def classify(db, found, class_name):
    """[{value, count}] over every record the filter matches, largest class first."""
    records = list(db[RECORDS].find(found, {"learner_id": 1, "title": 1, "trainer_ids": 1, "result": 1,
                                           "attendance": 1, "format": 1}))
    if class_name in LEARNER_FILTERS:
        attributes = attributes_by_learner(db, {record["learner_id"] for record in records})
        values = [attributes.get(record["learner_id"], {}).get(class_name) for record in records]
    elif class_name == "trainer":
        values = [trainer for record in records for trainer in record.get("trainer_ids") or [None]]
    else:
        values = [class_value(record, class_name) for record in records]
    counts = Counter(values)
    return [{"value": value, "count": count}
            for value, count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))]


def class_value(record, class_name):
    if class_name == "course":
        return record.get("title")
    if class_name == "result":
        result = record.get("result")
        return "none" if result is None else ("passed" if result["passed"] else "failed")
    if class_name == "attendance":
        return (record.get("attendance") or {}).get("status")
    return record.get(class_name)
