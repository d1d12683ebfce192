"""Answers checked against a questionnaire, and what a response scores (pure functions).

Every scored item is put on the 1-5 scale of the standard sections: a Likert item as it is, a
0-10 rating as 1 + 0.4 × value. A section's score is the mean of its answered scored items;
choice and open questions are counted, not scored.
"""
from shared.errors import InvalidInput

from services.feedback.standard import STANDARD_SECTIONS

LIKERT, RATING, SINGLE, MULTIPLE, TEXT = "likert", "rating", "single_choice", "multiple_choice", "text"
ITEM_TYPES = (LIKERT, RATING, SINGLE, MULTIPLE, TEXT)
SCALES = {LIKERT: range(1, 6), RATING: range(0, 11)}
MAX_TEXT = 4000


def items_of(questionnaire):
    """(section key, item) for every item, in order."""
    return [(section["key"], item) for section in questionnaire["sections"] for item in section["items"]]


def checked_answers(questionnaire, answers, require_all=True):
    """The answers as stored (blank ones dropped, text stripped); InvalidInput naming each bad item.

    Staff recording face-to-face feedback or an online rating pass `require_all=False`: they
    record what they were told, and a rating need not answer every question.
    """
    items = {item["key"]: item for _, item in items_of(questionnaire)}
    errors = {key: ["not a question of this questionnaire"] for key in answers if key not in items}
    kept = {}
    for key, item in items.items():
        value = answers.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if require_all and item["required"]:
                errors[key] = ["an answer is required"]
            continue
        problem = answer_problem(item, value)
        if problem:
            errors[key] = [problem]
        else:
            kept[key] = sorted(set(value), key=item["options"].index) if item["type"] == MULTIPLE else value
    if errors:
        raise InvalidInput("some answers do not fit the questionnaire", {"fields": {"answers": errors}})
    if not kept:
        raise InvalidInput("a response answers at least one question", {"fields": {"answers": ["no answers"]}})
    return kept


def answer_problem(item, value):
    kind = item["type"]
    if kind in SCALES:
        scale = SCALES[kind]
        if isinstance(value, bool) or not isinstance(value, int) or value not in scale:
            return f"a whole number from {scale.start} to {scale.stop - 1}"
    elif kind == SINGLE:
        if value not in item["options"]:
            return f"one of {item['options']}"
    elif kind == MULTIPLE:
        if not isinstance(value, list) or not all(isinstance(option, str) and option in item["options"]
                                                  for option in value):
            return f"a list of options from {item['options']}"
    elif not isinstance(value, str) or len(value) > MAX_TEXT:
        return f"text of at most {MAX_TEXT} characters"
    return None


def on_five_point_scale(item, value):
    """A scored answer on the 1-5 scale; None for items that are not scored."""
    if item["type"] == LIKERT:
        return float(value)
    if item["type"] == RATING:
        return 1 + 0.4 * value
    return None


def section_scores(questionnaire, answers):
    """Mean 1-5 score of each section with at least one scored answer (2 decimals)."""
    scores = {}
    for section_key, item in items_of(questionnaire):
        if item["key"] in answers:
            score = on_five_point_scale(item, answers[item["key"]])
            if score is not None:
                scores.setdefault(section_key, []).append(score)
    return {key: round(sum(values) / len(values), 2) for key, values in scores.items()}


def recommendation(questionnaire, answers):
    """The answer to the first 0-10 item (the net promoter question), if answered."""
    return next((answers[item["key"]] for _, item in items_of(questionnaire)
                 if item["type"] == RATING and item["key"] in answers), None)


def has_open_text(questionnaire, answers):
    return any(item["type"] == TEXT and item["key"] in answers for _, item in items_of(questionnaire))


def standard_ratings(scores):
    """The four standard sections rounded to whole 1-5 ratings (FeedbackSubmitted.v1), or None
    when the response lacks one of them."""
    if not all(section in scores for section in STANDARD_SECTIONS):
        return None
    return {section: min(5, max(1, int(scores[section] + 0.5))) for section in STANDARD_SECTIONS}


def open_texts(questionnaire, answers):
    """The response's answers to open questions, in questionnaire order."""
    return [answers[item["key"]] for _, item in items_of(questionnaire)
            if item["type"] == TEXT and item["key"] in answers]
