"""Figures of results, as pure functions: score statistics, item analysis, top performers.

Each takes one result per learner and assessment: the learner's best graded attempt.

Item analysis (classical test theory):
  * facility index: the mean share of a question's points that learners got (0 to 1; for a
    question marked right or wrong, the share of learners who got it right);
  * discrimination index: facility in the upper group minus facility in the lower group, the
    groups being the best and the worst 27 % of learners by total score (rounded, at least one
    learner each once there are two learners; ties broken by learner id). A question is flagged
    `not_discriminating` below 0.2: strong and weak learners do about as well on it (or the weak
    ones better), so it tells them apart poorly;
  * distractor counts: how many learners chose each option (true and false count as options).
"""
import statistics

from services.assessment import grading
from services.assessment.contract import CHOICE_TYPES, MULTIPLE, SINGLE, TRUE_FALSE

BAND_WIDTH = 10
GROUP_SHARE = 0.27
NOT_DISCRIMINATING_BELOW = 0.2
NOT_DISCRIMINATING = "not_discriminating"


def ranked(results):
    """Best first; equal scores by learner id, so every figure is reproducible."""
    return sorted(results, key=lambda result: (-result["score"], result["learner_id"]))


def score_statistics(results, top=3):
    scores = [result["score"] for result in results]
    bands = [0] * (100 // BAND_WIDTH)
    for score in scores:
        bands[min(int(score // BAND_WIDTH), len(bands) - 1)] += 1
    by_topic = {}
    for result in results:
        for topic in result["topic_scores"]:
            by_topic.setdefault(topic["topic"], []).append(topic["score"])
    best_first = ranked(results)
    worst_first = sorted(results, key=lambda result: (result["score"], result["learner_id"]))
    return {
        "count": len(results),
        "mean": round(statistics.fmean(scores), 1) if scores else None,
        "median": round(statistics.median(scores), 1) if scores else None,
        "lowest": min(scores, default=None),
        "highest": max(scores, default=None),
        "pass_rate": grading.percent(sum(result["passed"] for result in results), len(results)) if results else None,
        "distribution": [{"lower": index * BAND_WIDTH, "upper": (index + 1) * BAND_WIDTH, "count": count}
                         for index, count in enumerate(bands)],
        "top": [standing(result) for result in best_first[:top]],
        "bottom": [standing(result) for result in worst_first[:top]],
        "topics": [{"topic": topic, "mean": round(statistics.fmean(values), 1)} for topic, values in by_topic.items()],
    }


def standing(result):
    return {"learner_id": result["learner_id"], "score": result["score"], "passed": result["passed"]}


def group_size(learners):
    return max(int(learners * GROUP_SHARE + 0.5), 1) if learners >= 2 else 0


def item_analysis(results, with_answers=True):
    """Per question: facility, discrimination, distractor counts and flags. `with_answers` is
    false for paper exams, whose results hold marks but not the answers given."""
    best_first = ranked(results)
    size = group_size(len(results))
    upper = {result["learner_id"] for result in best_first[:size]}
    lower = {result["learner_id"] for result in best_first[len(best_first) - size:]} if size else set()
    responses = {}  # question id -> (the question, [(learner id, the learner's item)])
    for result in best_first:
        for item in result.get("items") or []:
            responses.setdefault(item["question_id"], (item, []))[1].append((result["learner_id"], item))
    return {"learners": len(results), "group_size": size,
            "items": [item_statistics(item, answered, upper, lower, with_answers)
                      for item, answered in responses.values()]}


def item_statistics(item, responses, upper, lower, with_answers):
    def facility(learners=None):
        shares = [each["awarded"] / each["points"] for learner, each in responses
                  if learners is None or learner in learners]
        return statistics.fmean(shares) if shares else None

    high, low = facility(upper), facility(lower)
    discrimination = high - low if high is not None and low is not None else None
    answers = [each.get("answer") for _, each in responses]
    return {
        "question_id": item["question_id"], "version": item["version"], "type": item["type"], "topic": item["topic"],
        "text": item["text"], "responses": len(responses), "facility": round(facility(), 2),
        "discrimination": None if discrimination is None else round(discrimination, 2),
        "options": option_counts(item, answers) if with_answers else [],
        "omitted": sum(not grading.answered(item, answer) for answer in answers) if with_answers else None,
        "flags": [NOT_DISCRIMINATING] if discrimination is not None and discrimination < NOT_DISCRIMINATING_BELOW
        else [],
    }


def option_counts(item, answers):
    answers = [answer for answer in answers if grading.answered(item, answer)]
    if item["type"] == TRUE_FALSE:
        return [{"option": str(value).lower(), "text": str(value).lower(), "correct": item["correct_value"] is value,
                 "count": sum(answer["value"] is value for answer in answers)} for value in (True, False)]
    if item["type"] not in CHOICE_TYPES:
        return []
    chose = {SINGLE: lambda answer, index: answer["option"] == index,
             MULTIPLE: lambda answer, index: index in answer["options"]}[item["type"]]
    right = {SINGLE: lambda index: index == item["correct_option"],
             MULTIPLE: lambda index: index in item["correct_options"]}[item["type"]]
    return [{"option": str(index), "text": text, "correct": right(index),
             "count": sum(chose(answer, index) for answer in answers)} for index, text in enumerate(item["options"])]


def top_performers(results, top_count, min_score):
    """(rank, result) of the best `top_count` results at or above `min_score`, with everyone tied
    with the last of them; equal scores share a rank (1, 2, 2, 4)."""
    qualified = ranked([result for result in results if result["score"] >= min_score])
    if not qualified:
        return []
    cutoff = qualified[min(top_count, len(qualified)) - 1]["score"]
    winners = [result for result in qualified if result["score"] >= cutoff]
    return [(1 + sum(other["score"] > result["score"] for other in winners), result) for result in winners]
