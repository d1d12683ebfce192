"""Paper and practical results entered by trainers in bulk (CSV), all or nothing.

Columns (a header row is required; names match whatever their case):
  * `learner_id` (their sign-in subject), and optionally `comment`;
  * paper exam: `q1` … `qN`, the points each learner got on each question, in the exam's order;
  * practical: one column per rubric criterion (its name), the level each learner reached.

Rows are numbered as in a spreadsheet (the header is row 1). Every row is checked before
anything is written: each learner must be one the assessment is open to, appear once and have
no released result. One bad row refuses the whole file with every bad row's messages. Then each
learner's result is written (graded, to be released like any other) under a natural key, the
assessment and the learner: importing the same file again after a crash halfway completes it,
and importing corrected marks replaces results that are not released yet.
"""
import csv
import io

from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, InvalidInput
from shared.store import new_id

from services.assessment import grading
from services.assessment.contract import CLOSED, ENTERED, GRADED, PAPER, PUBLISHED, RELEASED
from services.assessment.exams import managed_exam
from services.assessment.store import ATTEMPTS

MAX_ROWS = 5000
LEARNER, COMMENT = "learner_id", "comment"


def import_results(db, exam_id, csv_text, actor, now):
    exam = managed_exam(db, exam_id, actor)
    if exam["method"] not in ENTERED:
        raise Conflict(f"results of a {exam['method']} assessment are not entered by CSV", {"method": exam["method"]})
    if exam["status"] not in (PUBLISHED, CLOSED):
        raise Conflict(f"exam {exam_id} is {exam['status']}: publish it first", {"status": exam["status"]})
    rows = parse(exam, csv_text, released_learners(db, exam_id))
    result_ids, skipped = [], []
    for learner_id, result in rows:
        result_id = write_result(db, exam, learner_id, result, actor, now)
        if result_id:
            result_ids.append(result_id)
        else:  # released between the check and the write: every other row still goes in
            skipped.append({"learner_id": learner_id, "reason": "the result was released meanwhile"})
    return {"exam_id": exam_id, "rows": len(result_ids), "result_ids": result_ids, "skipped": skipped}


def released_learners(db, exam_id):
    return {doc["learner_id"] for doc in db[ATTEMPTS].find({"exam_id": exam_id, "status": RELEASED}, {"learner_id": 1})}


def columns_of(exam):
    if exam["method"] == PAPER:
        return [f"q{index}" for index in range(1, len(exam["questions"]) + 1)]
    return [criterion["name"].lower() for criterion in exam["rubric"]["criteria"]]


def parse(exam, csv_text, released):
    """[(learner id, result fields)] of a valid file; InvalidInput listing every bad row."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    expected = columns_of(exam)
    missing = [name for name in [LEARNER] + expected if name not in header]
    unknown = [name for name in header if name not in [LEARNER, COMMENT] + expected]
    if missing or unknown or len(set(header)) != len(header):
        raise InvalidInput("the CSV header does not fit the assessment",
                           {"expected": [LEARNER] + expected + [f"({COMMENT})"], "missing": missing,
                            "unknown": unknown})
    reader.fieldnames = header
    rows, errors, seen = [], {}, set()
    for raw in reader:
        if len(rows) + len(errors) >= MAX_ROWS:
            raise InvalidInput(f"the CSV has more than {MAX_ROWS} rows; split it", {"max_rows": MAX_ROWS})
        values = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(values.values()):
            continue  # a row of empty cells
        learner_id = values[LEARNER]
        problems = {"_row": ["more values than columns"]} if None in raw else \
            learner_problems(exam, learner_id, seen, released)
        if not problems:
            result, problems = row_result(exam, values)
        seen.add(learner_id)
        if problems:
            errors[str(reader.line_num)] = problems
        else:
            rows.append((learner_id, dict(result, comment=values.get(COMMENT) or None)))
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) are invalid; nothing was entered", {"rows": errors})
    if not rows:
        raise InvalidInput("the CSV has no results", {"rows": {}})
    return rows


def learner_problems(exam, learner_id, seen, released):
    if not learner_id:
        problem = "required"
    elif learner_id in seen:
        problem = "appears twice in the file"
    elif learner_id not in exam["learner_ids"]:
        problem = "the assessment is not open to this learner"
    elif learner_id in released:
        problem = "this learner's result is released already"
    else:
        return {}
    return {LEARNER: [problem]}


def row_result(exam, values):
    """(result fields, field messages) of one row."""
    if exam["method"] == PAPER:
        items, problems = [], {}
        for column, item in zip(columns_of(exam), exam["questions"]):
            points = number(values[column])
            if points is None or not 0 <= points <= item["points"]:
                problems[column] = [f"points from 0 to {item['points']}"]
            items.append(dict(item, answer=None, awarded=points, comment=None))
        if problems:
            return None, problems
        return dict(grading.result(grading.question_parts(items), exam["pass_score"]), items=items), {}
    scores, problems = grading.rubric_marks(exam["rubric"], {column: values[column] for column in columns_of(exam)})
    if problems:
        return None, {name.lower(): messages for name, messages in problems.items()}
    return dict(grading.result(grading.rubric_parts(scores), exam["pass_score"]), rubric_scores=scores, items=[]), {}


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def write_result(db, exam, learner_id, result, actor, now):
    """Upsert the learner's entered result; None if it was released meanwhile."""
    key = {"exam_id": exam["_id"], "learner_id": learner_id, "number": 1}
    try:
        db[ATTEMPTS].update_one(
            dict(key, status=GRADED),
            {"$set": dict(result, graded_by=actor["id"], graded_at=now, updated_at=now),
             "$setOnInsert": {"_id": new_id("attempt"), "session_id": exam["session_id"], "method": exam["method"],
                              "pass_score": exam["pass_score"], "started_at": None, "deadline": None,
                              "submitted_at": None, "late": False, "work": None, "outbox": []},
             "$push": {"history": {"action": "entered", "by": actor["id"], "at": now}}},
            upsert=True)
    except DuplicateKeyError:  # the released attempt holds the key
        return None
    return db[ATTEMPTS].find_one(key, {"_id": 1})["_id"]
