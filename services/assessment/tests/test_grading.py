"""Unit tests of the grading rules (no broker, no store)."""
import pytest

from shared.errors import InvalidInput

from services.assessment.grading import grade


def question(question_id, topic, correct_option=0, options=3):
    return {"question_id": question_id, "topic": topic, "correct_option": correct_option,
            "options": [f"option {n}" for n in range(options)]}


QUESTIONS = [question("q1", "users"), question("q2", "users", 1), question("q3", "reports", 2),
             question("q4", "reports"), question("q5", "billing", 1)]


def answers(**options):
    return [{"question_id": question_id, "option": option} for question_id, option in options.items()]


ALL_RIGHT = answers(q1=0, q2=1, q3=2, q4=0, q5=1)


def test_all_right_scores_100_and_passes_with_no_weak_topics():
    result = grade(QUESTIONS, ALL_RIGHT, pass_score=80)

    assert (result["score"], result["passed"], result["weak_topics"]) == (100.0, True, [])
    assert (result["correct_count"], result["question_count"]) == (5, 5)


def test_score_is_the_percentage_of_right_answers_rounded_to_one_decimal():
    three_questions = QUESTIONS[:3]
    result = grade(three_questions, answers(q1=0, q2=1, q3=0), pass_score=50)
    assert result["score"] == 66.7


def test_unanswered_questions_count_as_wrong():
    result = grade(QUESTIONS, answers(q1=0, q2=1), pass_score=50)
    assert (result["score"], result["correct_count"], result["passed"]) == (40.0, 2, False)


def test_the_pass_score_is_the_lowest_passing_score():
    assert grade(QUESTIONS, answers(q1=0, q2=1, q3=2, q4=0), pass_score=80)["passed"] is True
    assert grade(QUESTIONS, answers(q1=0, q2=1, q3=2, q4=0), pass_score=81)["passed"] is False


def test_pass_decision_uses_the_exact_fraction_not_the_rounded_score():
    many = [question(f"q{n}", "users") for n in range(101)]
    result = grade(many, answers(q0=0), pass_score=1)  # 1 of 101 is 0.99 %, shown as 1.0
    assert (result["score"], result["passed"]) == (1.0, False)


def test_a_pass_score_of_zero_passes_everyone():
    assert grade(QUESTIONS, [], pass_score=0)["passed"] is True


def test_results_per_topic_in_the_order_topics_first_appear():
    result = grade(QUESTIONS, answers(q1=0, q2=2, q3=2, q4=1, q5=1), pass_score=50)

    assert result["topics"] == [
        {"topic": "users", "correct": 1, "total": 2, "score": 50.0},
        {"topic": "reports", "correct": 1, "total": 2, "score": 50.0},
        {"topic": "billing", "correct": 1, "total": 1, "score": 100.0},
    ]


def test_weak_topics_are_those_with_under_half_right():
    result = grade(QUESTIONS, answers(q1=0, q2=2, q3=1, q4=1, q5=1), pass_score=50)

    # users: 1 of 2 (exactly half, not weak); reports: 0 of 2 (weak); billing: 1 of 1.
    assert result["weak_topics"] == ["reports"]


@pytest.mark.parametrize("bad_answers, field", [
    (answers(q1=0, q9=1), "question_id"),  # not a question of this exam
    (answers(q1=0) + answers(q1=1), "question_id"),  # the same question answered twice
    (answers(q1=0, q2=3), "option"),  # q2 has options 0 to 2
])
def test_answers_that_do_not_fit_the_exam_are_refused(bad_answers, field):
    with pytest.raises(InvalidInput) as refused:
        grade(QUESTIONS, bad_answers, pass_score=50)
    errors = refused.value.details["fields"]["answers"]
    assert list(errors) == [1] and list(errors[1]) == [field]
