"""Automatic grading of an online exam: pure functions over questions and answers.

Scores are percentages of questions answered right; an unanswered question counts as wrong.
Pass and weak-topic decisions compare exact fractions, so rounding the displayed score never
turns a fail into a pass.
"""
from shared.errors import InvalidInput

WEAK_TOPIC_BELOW_PERCENT = 50


def grade(questions, answers, pass_score):
    """Grade `answers` ([{question_id, option}]) against the exam's questions; InvalidInput if
    an answer does not fit the exam."""
    errors = answer_errors(questions, answers)
    if errors:
        raise InvalidInput("the answers do not fit the exam", {"fields": {"answers": errors}})

    chosen = {answer["question_id"]: answer["option"] for answer in answers}
    right_by_topic, total_by_topic = {}, {}  # in the order topics first appear
    for question in questions:
        topic = question["topic"]
        right = chosen.get(question["question_id"]) == question["correct_option"]
        right_by_topic[topic] = right_by_topic.get(topic, 0) + right
        total_by_topic[topic] = total_by_topic.get(topic, 0) + 1

    correct, total = sum(right_by_topic.values()), len(questions)
    return {
        "score": percent(correct, total),
        "passed": correct * 100 >= pass_score * total,
        "correct_count": correct,
        "question_count": total,
        "topics": [{"topic": topic, "correct": right_by_topic[topic], "total": count,
                    "score": percent(right_by_topic[topic], count)}
                   for topic, count in total_by_topic.items()],
        "weak_topics": [topic for topic, count in total_by_topic.items()
                        if right_by_topic[topic] * 100 < WEAK_TOPIC_BELOW_PERCENT * count],
    }


def answer_errors(questions, answers):
    """Field messages by answer index, in marshmallow's shape; empty if every answer fits."""
    option_counts = {question["question_id"]: len(question["options"]) for question in questions}
    errors, answered = {}, set()
    for index, answer in enumerate(answers):
        question_id, option = answer["question_id"], answer["option"]
        if question_id not in option_counts:
            errors[index] = {"question_id": ["not a question of this exam"]}
        elif question_id in answered:
            errors[index] = {"question_id": ["answered more than once"]}
        elif option >= option_counts[question_id]:
            errors[index] = {"option": [f"this question has options 0 to {option_counts[question_id] - 1}"]}
        answered.add(question_id)
    return errors


def percent(part, whole):
    return round(100 * part / whole, 1)
