"""Unit tests of feedback's pure rules: answers against a questionnaire, scores, statistics and
text mining (no broker, no store)."""
import pytest

from shared.errors import InvalidInput

from services.feedback import scoring, statistics, text_mining
from services.feedback.standard import STANDARD_REACTION

QUESTIONNAIRE = STANDARD_REACTION
ALL_FOURS = {key: 4 for key in ("content_clear", "content_relevant", "format_suitable", "format_organised",
                                "trainer_explains", "trainer_answers", "effect_apply")}


def test_answers_keep_what_fits_and_drop_blank_optional_ones():
    kept = scoring.checked_answers(QUESTIONNAIRE, dict(ALL_FOURS, recommend=0, liked="  Demo  ", improve=" ",
                                                       effect_useful_parts=["exercises", "live demo", "exercises"]))
    assert kept["liked"] == "Demo" and "improve" not in kept
    assert kept["effect_useful_parts"] == ["live demo", "exercises"]  # questionnaire order, once each


@pytest.mark.parametrize("key, value", [("content_clear", 0), ("content_clear", True), ("content_clear", 4.5),
                                        ("recommend", 11), ("format_pace", "slow"), ("liked", 5),
                                        ("effect_useful_parts", "exercises")])
def test_an_answer_that_does_not_fit_its_item_is_refused(key, value):
    with pytest.raises(InvalidInput) as refused:
        scoring.checked_answers(QUESTIONNAIRE, {**ALL_FOURS, "recommend": 5, key: value})
    assert list(refused.value.details["fields"]["answers"]) == [key]


def test_staff_recordings_need_not_answer_every_required_item_but_at_least_one():
    assert scoring.checked_answers(QUESTIONNAIRE, {"recommend": 7}, require_all=False) == {"recommend": 7}
    with pytest.raises(InvalidInput):
        scoring.checked_answers(QUESTIONNAIRE, {}, require_all=False)


def test_sections_are_scored_on_five_points_and_rounded_for_the_v1_ratings():
    answers = dict(ALL_FOURS, content_clear=5, trainer_explains=2, trainer_answers=3, recommend=5)
    scores = scoring.section_scores(QUESTIONNAIRE, answers)
    assert scores == {"content": 4.5, "format": 4.0, "trainer": 2.5, "effect": 4.0, "recommendation": 3.0}
    assert scoring.standard_ratings(scores) == {"content": 5, "format": 4, "trainer": 3, "effect": 4}
    assert scoring.standard_ratings({"content": 4.0}) is None
    assert scoring.recommendation(QUESTIONNAIRE, answers) == 5


def test_net_promoter_score_is_promoters_minus_detractors():
    assert statistics.net_promoter_score([10, 9, 8, 7, 6, 0]) == 0.0
    assert statistics.net_promoter_score([10, 10, 10, 3]) == 50.0
    assert statistics.net_promoter_score([]) is None


def test_a_report_below_the_minimum_group_size_has_counts_only():
    survey = {"_id": "survey-1", "title": "T", "kind": "reaction", "session_id": "s", "course": "c",
              "trainer_ids": [], "anonymous": True, "status": "open", "invited": 4, "questionnaire": QUESTIONNAIRE}
    response = {"answers": dict(ALL_FOURS, recommend=9), "respondent": "learner", "nps": 9,
                "section_scores": scoring.section_scores(QUESTIONNAIRE, dict(ALL_FOURS, recommend=9))}
    withheld = statistics.survey_report(survey, [response] * 2, min_group_size=3)
    shown = statistics.survey_report(survey, [response] * 3, min_group_size=3)
    assert (withheld["withheld"], withheld["questions"], withheld["nps"], withheld["responses"]) == (True, [], None, 2)
    assert (shown["withheld"], shown["nps"], shown["response_rate"]) == (False, 100.0, 0.75)


def test_chinese_answers_are_segmented_into_keywords():
    keywords = [word for _, word, language in text_mining.keywords_of("讲师讲得很清楚，例子很实用。") if language == "zh"]
    assert "讲师" in keywords and "例子" in keywords and "很" not in keywords


def test_english_keywords_group_word_forms_and_skip_stopwords():
    result = text_mining.analyse(["The exercises were great.", "One exercise was too long.", "Exercises!"])
    assert result["keywords"][0] == {"word": "exercises", "language": "en", "count": 3}
    assert all(keyword["word"] not in ("the", "were", "was") for keyword in result["keywords"])


def test_sentiment_is_judged_clause_by_clause_with_negations():
    result = text_mining.analyse(["The trainer was clear but the pace was too fast.", "Not clear at all.",
                                  "声音卡顿，听不清。", "非常实用，讲师很专业。", "We met on Tuesday."])
    themes = {theme["theme"]: theme for theme in result["themes"]}
    assert (themes["trainer"]["positive"], themes["pace"]["negative"]) == (2, 1)
    assert themes["technology"]["negative"] == 1
    assert result["sentiment"] == {"positive": 1, "negative": 2, "neutral": 2}
