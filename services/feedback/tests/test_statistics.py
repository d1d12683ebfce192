"""Unit tests of a questionnaire's summary statistics (no broker, no store)."""
from services.feedback.summary import summarize

NO_SCORES = {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}


def ratings(content, format, trainer, effect):
    return {"content": content, "format": format, "trainer": trainer, "effect": effect}


def test_without_responses_there_are_no_averages_and_empty_distributions():
    assert summarize([]) == {"count": 0, "ratings": {
        dimension: {"average": None, "distribution": NO_SCORES}
        for dimension in ("content", "format", "trainer", "effect")}}


def test_each_dimension_is_counted_on_its_own():
    summary = summarize([ratings(5, 1, 3, 2), ratings(4, 1, 3, 2), ratings(4, 2, 3, 5)])

    assert summary["count"] == 3
    assert summary["ratings"]["content"] == {"average": 4.33, "distribution": dict(NO_SCORES, **{"4": 2, "5": 1})}
    assert summary["ratings"]["format"] == {"average": 1.33, "distribution": dict(NO_SCORES, **{"1": 2, "2": 1})}
    assert summary["ratings"]["trainer"] == {"average": 3.0, "distribution": dict(NO_SCORES, **{"3": 3})}
    assert summary["ratings"]["effect"] == {"average": 3.0, "distribution": dict(NO_SCORES, **{"2": 2, "5": 1})}


def test_averages_are_rounded_to_two_decimals():
    summary = summarize([ratings(content, 3, 3, 3) for content in (1, 2, 2, 4, 5, 5)])

    assert summary["ratings"]["content"]["average"] == 3.17  # 19 / 6 = 3.1666…


def test_distribution_always_has_every_score_and_sums_to_the_count():
    summary = summarize([ratings(score, score, score, score) for score in (1, 1, 5)])

    for dimension in summary["ratings"].values():
        assert list(dimension["distribution"]) == ["1", "2", "3", "4", "5"]
        assert sum(dimension["distribution"].values()) == summary["count"]
