"""Unit tests of marking, scoring and dates (no broker, no store)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from shared.errors import InvalidInput

from services.assessment.certificates import add_months
from services.assessment.grading import (checked_answers, deadline, mark, marked, pending, question_parts, result,
                                         rubric_marks, rubric_parts, with_trainer_marks)

SINGLE = {"question_id": "q1", "type": "single_choice", "topic": "Users", "points": 1,
          "options": ["a", "b", "c"], "correct_option": 1}
MULTIPLE = {"question_id": "q2", "type": "multiple_choice", "topic": "Users", "points": 2,
            "options": ["a", "b", "c"], "correct_options": [0, 2]}
TRUE_FALSE = {"question_id": "q3", "type": "true_false", "topic": "Reports", "points": 1, "correct_value": False}
NUMERIC = {"question_id": "q4", "type": "numeric", "topic": "Reports", "points": 1, "correct_number": 50.0,
           "tolerance": 2.5}
SHORT = {"question_id": "q5", "type": "short_answer", "topic": "Reports", "points": 3}
ITEMS = [SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT]


@pytest.mark.parametrize("item, answer, points", [
    (SINGLE, {"option": 1}, 1.0), (SINGLE, {"option": 0}, 0.0), (SINGLE, None, 0.0),
    (MULTIPLE, {"options": [2, 0]}, 2.0), (MULTIPLE, {"options": [0]}, 0.0), (MULTIPLE, {"options": [0, 1, 2]}, 0.0),
    (MULTIPLE, {"options": []}, 0.0),
    (TRUE_FALSE, {"value": False}, 1.0), (TRUE_FALSE, {"value": True}, 0.0),
    (NUMERIC, {"number": 52.5}, 1.0), (NUMERIC, {"number": 47.5}, 1.0), (NUMERIC, {"number": 52.6}, 0.0),
    (SHORT, {"text": "an answer"}, None), (SHORT, {"text": "   "}, 0.0), (SHORT, None, 0.0),
])
def test_objective_answers_are_marked_at_once_and_short_answers_wait(item, answer, points):
    assert mark(item, answer) == points


def test_answers_that_do_not_fit_their_questions_are_refused_by_index():
    with pytest.raises(InvalidInput) as refused:
        checked_answers(ITEMS, [{"question_id": "q1", "option": 3}, {"question_id": "q9", "option": 0},
                                {"question_id": "q3", "option": 0}, {"question_id": "q2", "options": [0, 0]},
                                {"question_id": "q1", "option": 1}, {"question_id": "q4", "number": float("inf")}])
    assert refused.value.details["fields"]["answers"] == {
        0: {"option": ["choose an option from 0 to 2"]}, 1: {"question_id": ["not a question of this attempt"]},
        2: {"option": ["this is a true_false question: answer with `value`"]},
        3: {"options": ["distinct options from 0 to 2"]}, 4: {"question_id": ["answered more than once"]},
        5: {"number": ["a finite number"]}}


def test_checked_answers_keep_only_the_field_of_the_questions_type():
    assert checked_answers(ITEMS, [{"question_id": "q3", "value": False, "option": None}]) == {
        "q3": {"question_id": "q3", "value": False}}


def test_points_weigh_questions_and_a_topic_below_the_pass_mark_is_weak():
    items = marked(ITEMS, {"q1": {"option": 1}, "q2": {"options": [0, 2]}, "q3": {"value": True},
                           "q4": {"number": 49}, "q5": {"text": "scheduling"}})
    assert pending(items) == ["q5"]
    graded = with_trainer_marks(items, [{"question_id": "q5", "points": 1.5, "comment": "half"}])
    outcome = result(question_parts(graded), pass_score=60)

    # Users 3 of 3; Reports 0 + 1 + 1.5 of 5. Together 5.5 of 8.
    assert outcome == {"score": 68.8, "passed": True, "weak_topics": ["Reports"],
                       "topic_scores": [{"topic": "Users", "score": 100.0}, {"topic": "Reports", "score": 50.0}]}


def test_a_result_exactly_at_the_pass_mark_passes_and_rounding_never_lifts_a_fail():
    exactly = [{"topic": "t", "weight": 1, "earned": earned} for earned in (1, 1, 0)]
    assert result(exactly, pass_score=67)["passed"] is False  # 66.67 % shows as 66.7 but is below 67
    assert result(exactly[:2] + [{"topic": "t", "weight": 1, "earned": 1}], pass_score=100)["passed"] is True


def test_trainer_marks_must_cover_every_waiting_answer_within_its_points():
    items = marked(ITEMS, {"q5": {"text": "scheduling"}})
    with pytest.raises(InvalidInput) as refused:
        with_trainer_marks(items, [{"question_id": "q1", "points": 1, "comment": None}])
    assert refused.value.details["missing"] == ["q5"]
    assert refused.value.details["fields"]["items"] == {0: {"question_id": [
        "not a question waiting for a trainer in this attempt"]}}
    with pytest.raises(InvalidInput) as too_many:
        with_trainer_marks(items, [{"question_id": "q5", "points": 3.5, "comment": None}])
    assert too_many.value.details["fields"]["items"] == {0: {"points": ["at most 3"]}}


RUBRIC = {"criteria": [
    {"name": "Setup", "topic": "Users", "weight": 3.0,
     "levels": [{"name": "poor", "points": 0}, {"name": "fair", "points": 2}, {"name": "good", "points": 4}]},
    {"name": "Report", "topic": None, "weight": 1.0,
     "levels": [{"name": "no", "points": 0}, {"name": "yes", "points": 1}]},
]}


def test_rubric_levels_score_as_a_share_of_each_criterions_best_level_by_weight():
    scores, errors = rubric_marks(RUBRIC, {" SETUP ": "Fair", "report": "yes"})
    outcome = result(rubric_parts(scores), pass_score=60)

    assert errors == {}
    assert [(score["criterion"], score["topic"], score["level"], score["points"]) for score in scores] == [
        ("Setup", "Users", "fair", 2), ("Report", "Report", "yes", 1)]
    # (3 × 2/4 + 1 × 1/1) / 4 = 62.5 %; Setup alone is 50 %.
    assert (outcome["score"], outcome["passed"], outcome["weak_topics"]) == (62.5, True, ["Users"])


def test_rubric_marks_name_each_missing_unknown_or_wrong_criterion():
    _, errors = rubric_marks(RUBRIC, {"setup": "superb", "style": "nice"})
    assert errors == {"Setup": ["choose a level: poor, fair, good"], "Report": ["missing; levels: no, yes"],
                      "style": ["not a criterion of this rubric"]}


def test_the_deadline_is_the_time_limit_or_the_closing_time_whichever_comes_first():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert deadline(start, 30, None) == start + timedelta(minutes=30)
    assert deadline(start, 30, start + timedelta(minutes=10)) == start + timedelta(minutes=10)
    assert deadline(start, None, start + timedelta(days=7)) == start + timedelta(days=7)
    assert deadline(start, None, None) is None


@pytest.mark.parametrize("issued, months, expires", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 11, 15), 3, date(2027, 2, 15)), (date(2026, 3, 2), 24, date(2028, 3, 2))])
def test_certificates_expire_the_same_day_months_later_or_at_the_months_end(issued, months, expires):
    assert add_months(issued, months) == expires
