"""Unit tests of the result figures against examples computed by hand (no broker, no store)."""
from services.assessment.analysis import item_analysis, score_statistics, top_performers

SINGLE = {"question_id": "q1", "version": 1, "type": "single_choice", "topic": "Users", "text": "Where?",
          "points": 1, "options": ["Settings", "Reports", "Billing"], "correct_option": 0}
TRUE_FALSE = {"question_id": "q2", "version": 1, "type": "true_false", "topic": "Reports", "text": "CSV?",
              "points": 1, "correct_value": True}
MULTIPLE = {"question_id": "q3", "version": 2, "type": "multiple_choice", "topic": "Users", "text": "Who?",
            "points": 2, "options": ["Admins", "Anyone", "Help desk"], "correct_options": [0, 2]}
SHORT = {"question_id": "q4", "version": 1, "type": "short_answer", "topic": "Reports", "text": "Explain.",
         "points": 2}

# Ten learners, pass mark 60. Per learner: q1 option, q2 value, q3 options, q4 points a trainer gave,
# and the score worked out by hand (points of 6). None: not answered.
#            q1    q2     q3      q4  points  score
TABLE = {
    "L01": (0, True, [0, 2], 2, 6, 100.0),
    "L02": (0, False, [0, 2], 2, 5, 83.3),
    "L03": (0, False, [0, 2], 1, 4, 66.7),
    "L04": (0, True, [0], 2, 4, 66.7),
    "L05": (1, True, [0, 2], 0, 3, 50.0),
    "L06": (0, True, [0, 1], 1, 3, 50.0),
    "L07": (2, False, [0, 2], 0, 2, 33.3),
    "L08": (1, True, None, 1, 2, 33.3),
    "L09": (None, True, [1], 0, 1, 16.7),
    "L10": (1, True, [2], 0, 1, 16.7),
}


def results():
    made = []
    for learner, (option, value, options, short_points, _, score) in TABLE.items():
        items = [
            dict(SINGLE, answer=None if option is None else {"option": option}, awarded=float(option == 0)),
            dict(TRUE_FALSE, answer={"value": value}, awarded=float(value is True)),
            dict(MULTIPLE, answer=None if options is None else {"options": options},
                 awarded=2.0 if options == [0, 2] else 0.0),
            dict(SHORT, answer={"text": "an explanation"}, awarded=float(short_points)),
        ]
        made.append({"learner_id": learner, "score": score, "passed": score >= 60, "topic_scores": [], "items": items})
    return made


def test_the_hand_computed_points_match_the_table():
    for result in results():
        assert sum(item["awarded"] for item in result["items"]) == TABLE[result["learner_id"]][4]


def test_item_analysis_of_the_hand_computed_example():
    # 27 % of 10 learners is 2.7: groups of 3. Upper: L01, L02, L03. Lower: L08, L09, L10.
    analysis = item_analysis(results())
    q1, q2, q3, q4 = analysis["items"]

    assert (analysis["learners"], analysis["group_size"]) == (10, 3)
    # q1: right for L01-L04 and L06 (5 of 10); the upper group 3 of 3, the lower 0 of 3.
    assert (q1["facility"], q1["discrimination"], q1["flags"], q1["omitted"]) == (0.5, 1.0, [], 1)
    assert [(option["option"], option["correct"], option["count"]) for option in q1["options"]] == [
        ("0", True, 5), ("1", False, 3), ("2", False, 1)]
    # q2: true for 7 of 10; upper 1 of 3 (L01), lower 3 of 3: 1/3 - 1 = -0.67, so it is flagged.
    assert (q2["facility"], q2["discrimination"], q2["flags"]) == (0.7, -0.67, ["not_discriminating"])
    assert [(option["option"], option["correct"], option["count"]) for option in q2["options"]] == [
        ("true", True, 7), ("false", False, 3)]
    # q3: exactly {0, 2} for L01-L03, L05, L07 (5 of 10); upper 3 of 3, lower 0 (L08 left it out).
    assert (q3["facility"], q3["discrimination"], q3["omitted"], q3["version"]) == (0.5, 1.0, 1, 2)
    assert [(option["option"], option["correct"], option["count"]) for option in q3["options"]] == [
        ("0", True, 7), ("1", False, 2), ("2", True, 6)]
    # q4: shares 1, 1, .5, 1, 0, .5, 0, .5, 0, 0 = 4.5 of 10; upper 2.5/3, lower .5/3: 2/3.
    assert (q4["facility"], q4["discrimination"], q4["options"], q4["omitted"]) == (0.45, 0.67, [], 0)


def test_a_question_only_some_learners_drew_is_measured_on_them():
    drawn = [{"learner_id": "a", "score": 90.0, "passed": True, "topic_scores": [],
              "items": [dict(SINGLE, answer={"option": 0}, awarded=1.0)]},
             {"learner_id": "b", "score": 80.0, "passed": True, "topic_scores": [], "items": []},
             {"learner_id": "c", "score": 10.0, "passed": False, "topic_scores": [], "items": []}]
    item, = item_analysis(drawn)["items"]
    assert (item["responses"], item["facility"], item["discrimination"], item["flags"]) == (1, 1.0, None, [])


def test_paper_results_have_marks_but_no_answers_to_count():
    item, = item_analysis([dict(result, items=result["items"][:1]) for result in results()],
                          with_answers=False)["items"]
    assert (item["facility"], item["options"], item["omitted"]) == (0.5, [], None)


def test_score_statistics_of_the_hand_computed_example():
    statistics = score_statistics(results(), top=3)

    # 100 + 83.3 + 2 × (66.7 + 50 + 33.3 + 16.7) = 516.7, over 10.
    assert (statistics["count"], statistics["mean"], statistics["median"]) == (10, 51.7, 50.0)
    assert (statistics["lowest"], statistics["highest"], statistics["pass_rate"]) == (16.7, 100.0, 40.0)
    assert [band["count"] for band in statistics["distribution"]] == [0, 2, 0, 2, 0, 2, 2, 0, 1, 1]
    assert (statistics["distribution"][9]["lower"], statistics["distribution"][9]["upper"]) == (90, 100)
    assert [entry["learner_id"] for entry in statistics["top"]] == ["L01", "L02", "L03"]
    assert [entry["learner_id"] for entry in statistics["bottom"]] == ["L09", "L10", "L07"]


def test_topic_means_and_no_results():
    two = [{"learner_id": "a", "score": 80.0, "passed": True,
            "topic_scores": [{"topic": "Users", "score": 100.0}, {"topic": "Reports", "score": 60.0}]},
           {"learner_id": "b", "score": 40.0, "passed": False, "topic_scores": [{"topic": "Users", "score": 25.0}]}]
    assert score_statistics(two)["topics"] == [{"topic": "Users", "mean": 62.5}, {"topic": "Reports", "mean": 60.0}]
    empty = score_statistics([])
    assert (empty["count"], empty["mean"], empty["pass_rate"], empty["top"]) == (0, None, None, [])


def test_top_performers_include_ties_with_the_last_place_and_share_ranks():
    ranked = [{"learner_id": name, "score": score} for name, score in
              (("a", 92.0), ("b", 95.0), ("c", 92.0), ("d", 88.0), ("e", 70.0))]
    assert [(rank, result["learner_id"]) for rank, result in top_performers(ranked, 2, 90)] == [
        (1, "b"), (2, "a"), (2, "c")]
    assert [result["learner_id"] for _, result in top_performers(ranked, 3, 93)] == ["b"]
    assert top_performers(ranked, 3, 99) == []
