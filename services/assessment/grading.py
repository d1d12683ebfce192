"""Marking and scoring, as pure functions over an attempt's items, a rubric and the marks given.

Scores are percentages of weighted points: a question weighs its points, a rubric criterion its
weight (its level's points as a share of the criterion's best level). A result passes at or
above the pass mark; a topic scored below the pass mark is a weak topic. Decisions compare the
unrounded figures, so the rounding of a displayed score never turns a fail into a pass.

Objective questions are marked at once: a multiple-choice answer scores only if it picks exactly
the right options; a numeric answer scores within ± tolerance; an unanswered question scores 0.
A short answer waits for a trainer (unanswered, it scores 0 at once).
"""
import math
from datetime import timedelta

from shared.errors import InvalidInput

from services.assessment.contract import MULTIPLE, NUMERIC, RESPONSE_FIELDS, SHORT, SINGLE, TRUE_FALSE

EPSILON = 1e-9  # float sums of points and weights


# ---- answers -------------------------------------------------------------------------------------

def response_of(item, answer):
    return (answer or {}).get(RESPONSE_FIELDS[item["type"]])


def answered(item, answer):
    response = response_of(item, answer)
    return response not in (None, [], "") and not (item["type"] == SHORT and not response.strip())


def checked_answers(items, answers):
    """The answers as stored ({question_id, <the type's field>}) by question id; InvalidInput
    with messages by answer index if one does not fit the attempt's questions."""
    by_id = {item["question_id"]: item for item in items}
    checked, errors, seen = {}, {}, set()
    for index, answer in enumerate(answers):
        item = by_id.get(answer["question_id"])
        problem = "not a question of this attempt" if item is None else \
            "answered more than once" if answer["question_id"] in seen else None
        seen.add(answer["question_id"])
        if problem:
            errors[index] = {"question_id": [problem]}
            continue
        field = RESPONSE_FIELDS[item["type"]]
        stray = [name for name in RESPONSE_FIELDS.values() if name != field and answer.get(name) is not None]
        if stray:
            errors[index] = {name: [f"this is a {item['type']} question: answer with `{field}`"] for name in stray}
            continue
        problem = response_problem(item, answer.get(field))
        if problem:
            errors[index] = {field: [problem]}
            continue
        checked[item["question_id"]] = {"question_id": item["question_id"], field: answer.get(field)}
    if errors:
        raise InvalidInput("some answers do not fit the questions", {"fields": {"answers": errors}})
    return checked


def response_problem(item, response):
    if response is None:
        return None  # clears the answer
    options = len(item.get("options") or [])
    if item["type"] == SINGLE and not 0 <= response < options:
        return f"choose an option from 0 to {options - 1}"
    if item["type"] == MULTIPLE and (len(set(response)) != len(response)
                                     or not all(0 <= index < options for index in response)):
        return f"distinct options from 0 to {options - 1}"
    if item["type"] == NUMERIC and not math.isfinite(response):
        return "a finite number"
    return None


def mark(item, answer):
    """Points an answer earns; None for a short answer a trainer has to grade."""
    if not answered(item, answer):
        return 0.0
    response = response_of(item, answer)
    kind = item["type"]
    if kind == SHORT:
        return None
    right = {
        SINGLE: lambda: response == item["correct_option"],
        MULTIPLE: lambda: sorted(response) == sorted(item["correct_options"]),
        TRUE_FALSE: lambda: response is item["correct_value"],
        NUMERIC: lambda: abs(response - item["correct_number"]) <= item["tolerance"] + EPSILON,
    }[kind]()
    return float(item["points"]) if right else 0.0


def marked(items, answers):
    """The attempt's items with each answer and the points it earned (None: for a trainer)."""
    return [dict(item, answer=answers.get(item["question_id"]), awarded=mark(item, answers.get(item["question_id"])),
                 comment=None) for item in items]


def pending(items):
    """Question ids still waiting for a trainer."""
    return [item["question_id"] for item in items if item["awarded"] is None]


def with_trainer_marks(items, grades):
    """Items with the trainer's points for every pending question; InvalidInput otherwise."""
    waiting = set(pending(items))
    points = {item["question_id"]: item["points"] for item in items}
    given, errors = {}, {}
    for index, grade in enumerate(grades):
        question_id = grade["question_id"]
        if question_id not in waiting:
            errors[index] = {"question_id": ["not a question waiting for a trainer in this attempt"]}
        elif question_id in given:
            errors[index] = {"question_id": ["graded more than once"]}
        elif grade["points"] > points[question_id] + EPSILON:
            errors[index] = {"points": [f"at most {points[question_id]}"]}
        else:
            given[question_id] = grade
    missing = sorted(waiting - set(given))
    if errors or missing:
        raise InvalidInput("grade every short answer of the attempt",
                           {"fields": {"items": errors}, **({"missing": missing} if missing else {})})
    return [dict(item, awarded=float(grade["points"]), comment=grade["comment"])
            if (grade := given.get(item["question_id"])) else item for item in items]


# ---- rubrics -------------------------------------------------------------------------------------

def rubric_marks(rubric, chosen):
    """Scores of a rubric from {criterion name: level name} (names match whatever their case);
    returns (rubric_scores, field messages by criterion)."""
    chosen = {name.strip().lower(): level for name, level in chosen.items()}
    scores, errors = [], {}
    for criterion in rubric["criteria"]:
        level_name = chosen.pop(criterion["name"].lower(), None)
        levels = {level["name"].lower(): level for level in criterion["levels"]}
        level = levels.get((level_name or "").strip().lower())
        if level is None:
            names = ", ".join(level["name"] for level in criterion["levels"])
            errors[criterion["name"]] = [f"choose a level: {names}" if level_name else f"missing; levels: {names}"]
            continue
        scores.append({"criterion": criterion["name"], "topic": criterion["topic"] or criterion["name"],
                       "level": level["name"], "points": level["points"],
                       "max_points": max(each["points"] for each in criterion["levels"]),
                       "weight": criterion["weight"]})
    for unknown in chosen:
        errors[unknown] = ["not a criterion of this rubric"]
    return scores, errors


# ---- results -------------------------------------------------------------------------------------

def question_parts(items):
    return [{"topic": item["topic"], "weight": item["points"], "earned": item["awarded"]} for item in items]


def rubric_parts(rubric_scores):
    return [{"topic": score["topic"], "weight": score["weight"],
             "earned": score["weight"] * score["points"] / score["max_points"]} for score in rubric_scores]


def result(parts, pass_score):
    """Score, pass, topic scores and weak topics of weighted parts ({topic, weight, earned})."""
    weight = sum(part["weight"] for part in parts)
    earned = sum(part["earned"] for part in parts)
    topics = {}
    for part in parts:
        topic = topics.setdefault(part["topic"], [0.0, 0.0])
        topic[0] += part["earned"]
        topic[1] += part["weight"]
    return {
        "score": percent(earned, weight),
        "passed": reaches(earned, weight, pass_score),
        "topic_scores": [{"topic": topic, "score": percent(got, out_of)} for topic, (got, out_of) in topics.items()],
        "weak_topics": [topic for topic, (got, out_of) in topics.items() if not reaches(got, out_of, pass_score)],
    }


def reaches(earned, weight, pass_score):
    return 100 * earned >= pass_score * weight - EPSILON


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else 0.0


def deadline(started_at, time_limit_minutes, closes_at):
    """When an attempt started at `started_at` must be handed in (None: no deadline)."""
    limits = [moment for moment in (started_at + timedelta(minutes=time_limit_minutes) if time_limit_minutes else None,
                                    closes_at) if moment is not None]
    return min(limits) if limits else None
