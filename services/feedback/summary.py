"""Summary statistics of a questionnaire's ratings, computed in Python.

A session has no more responses than its capacity, so reading their ratings and counting here is
cheap.
"""
from services.feedback.questionnaires import RATING_DIMENSIONS

SCALE = range(1, 6)


def summarize(all_ratings):
    """Count, average (2 decimals, None without responses) and 1-5 distribution per dimension."""
    return {"count": len(all_ratings),
            "ratings": {dimension: summarize_dimension([ratings[dimension] for ratings in all_ratings])
                        for dimension in RATING_DIMENSIONS}}


def summarize_dimension(scores):
    # Distribution keys are strings: they become JSON object keys (and never contain "." or "$").
    return {"average": round(sum(scores) / len(scores), 2) if scores else None,
            "distribution": {str(score): scores.count(score) for score in SCALE}}
