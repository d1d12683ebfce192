"""The question bank: questions by topic, difficulty and tags, every version kept.

A question document holds its current content at the top (for queries) and every version it
ever had in `versions`. Revising appends a version in one write guarded by the version the
author revised, so of two authors revising at once one wins and the other gets a Conflict.
Assessments copy the version they use when they are created (`snapshot`), so a later revision
never changes an assessment already made, taken or finished.
"""
from pymongo import ReturnDocument

from shared.errors import Conflict, InvalidInput, NotFound
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.assessment.contract import ACTIVE, RETIRED
from services.assessment.store import QUESTIONS

QUESTION_STATES = StateMachine(QUESTIONS, "question", {"retire": ((ACTIVE,), RETIRED)})
# The fields of a question an assessment copies (the answer key included: grading needs it).
CONTENT = ("type", "text", "topic", "difficulty", "tags", "points", "options", "correct_option", "correct_options",
           "correct_value", "correct_number", "tolerance", "model_answer", "explanation")


def topic_key(topic):
    """Topics match whatever their case and spacing."""
    return " ".join(topic.lower().split())


def create_question(db, content, actor, now):
    question_id = new_id("question")
    version = version_entry(content, 1, actor, now, note="created")
    doc = dict(content, _id=question_id, topic_key=topic_key(content["topic"]), status=ACTIVE, version=1,
               versions=[version], created_by=actor["id"], created_at=now, updated_at=now)
    db[QUESTIONS].insert_one(doc)
    return view(doc)


def revise_question(db, question_id, revision, actor, now):
    """A new version; Conflict if the question was revised since `revision["version"]` or is retired."""
    current = fetch(db[QUESTIONS], question_id, "question")
    expected, note = revision.pop("version"), revision.pop("note")
    if current["status"] != ACTIVE or current["version"] != expected:
        raise Conflict(f"question {question_id} is at version {current['version']} ({current['status']}); "
                       f"reload it and revise that", {"version": current["version"], "status": current["status"]})
    version = version_entry(revision, expected + 1, actor, now, note=note or None)
    updated = db[QUESTIONS].find_one_and_update(
        {"_id": question_id, "version": expected, "status": ACTIVE},
        {"$set": dict(revision, topic_key=topic_key(revision["topic"]), version=expected + 1, updated_at=now),
         "$push": {"versions": version}},
        return_document=ReturnDocument.AFTER)
    if updated is None:
        latest = fetch(db[QUESTIONS], question_id, "question")
        raise Conflict(f"question {question_id} was revised meanwhile (now version {latest['version']})",
                       {"version": latest["version"], "status": latest["status"]})
    return view(updated)


def retire_question(db, question_id, now):
    """A retired question is drawn into no new assessment; assessments that use it keep it."""
    question = fetch(db[QUESTIONS], question_id, "question")
    return view(QUESTION_STATES.apply(db, question, "retire", now=now))


def get_question(db, question_id, version=None):
    question = fetch(db[QUESTIONS], question_id, "question")
    return view(question, version)


def list_questions(db, topic=None, difficulty=None, type=None, tag=None, status=ACTIVE, limit=20, offset=0):
    query = {"topic_key": topic_key(topic) if topic else None, "difficulty": difficulty, "type": type,
             "tags": tag, "status": status}
    total, questions = page(db[QUESTIONS], {key: value for key, value in query.items() if value is not None},
                            [("topic_key", 1), ("created_at", 1), ("_id", 1)], limit, offset)
    return total, [view(question) for question in questions]


def view(question, version=None):
    """One version of a question (the current one by default), flat, with the bank's bookkeeping."""
    number = version or question["version"]
    entry = next((entry for entry in question["versions"] if entry["version"] == number), None)
    if entry is None:
        raise NotFound(f"question {question['_id']} has no version {number}",
                       {"question_id": question["_id"], "versions": len(question["versions"])})
    return dict(entry, question_id=question["_id"], status=question["status"], versions=len(question["versions"]))


def snapshot(question_view):
    return {field: question_view.get(field) for field in ("question_id", "version") + CONTENT}


def pinned(db, refs):
    """Snapshots of the referenced questions at their pinned (or current) versions, in order;
    InvalidInput naming each reference that does not resolve."""
    found = {doc["_id"]: doc for doc in db[QUESTIONS].find({"_id": {"$in": [ref["question_id"] for ref in refs]}})}
    snapshots, errors = [], {}
    for index, ref in enumerate(refs):
        question = found.get(ref["question_id"])
        if question is None:
            errors[index] = {"question_id": ["no such question in the bank"]}
        elif question["status"] != ACTIVE:
            errors[index] = {"question_id": ["this question is retired"]}
        elif ref["version"] is not None and ref["version"] > question["version"]:
            errors[index] = {"version": [f"the question has versions 1 to {question['version']}"]}
        else:
            snapshots.append(snapshot(view(question, ref["version"])))
    if errors:
        raise InvalidInput("some questions are not in the bank", {"fields": {"questions": errors}})
    return snapshots


def pool(db, rules):
    """Snapshots of the active questions each draw rule may draw from; InvalidInput for a rule
    the bank cannot fill."""
    snapshots, errors = [], {}
    for index, rule in enumerate(rules):
        query = {"topic_key": topic_key(rule["topic"]), "status": ACTIVE}
        if rule["difficulty"]:
            query["difficulty"] = rule["difficulty"]
        matching = [snapshot(view(question)) for question in db[QUESTIONS].find(query).sort("_id", 1)]
        if len(matching) < rule["count"]:
            errors[index] = {"count": [f"the bank has {len(matching)} active question(s) for this rule"]}
        snapshots += matching
    if errors:
        raise InvalidInput("the bank cannot fill the draw rules", {"fields": {"draw": errors}})
    return snapshots


def version_entry(content, number, actor, now, note):
    return dict({field: content.get(field) for field in CONTENT}, version=number, revised_by=actor["id"],
                revised_at=now, note=note)
