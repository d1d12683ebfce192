"""Statistics of responses (pure functions): per question and section, net promoter score,
trends across sessions. Results of a group smaller than the minimum group size are withheld,
so that no answer can be traced to a person.
"""
from services.feedback.scoring import LIKERT, MULTIPLE, RATING, SCALES, SINGLE, items_of


def mean(values):
    values = list(values)
    return round(sum(values) / len(values), 2) if values else None


def net_promoter_score(values):
    """% of promoters (9-10) minus % of detractors (0-6), one decimal; None without answers."""
    values = list(values)
    if not values:
        return None
    promoters = sum(1 for value in values if value >= 9)
    detractors = sum(1 for value in values if value <= 6)
    return round(100 * (promoters - detractors) / len(values), 1)


def rate(part, whole):
    return round(part / whole, 3) if whole else None


def question_stats(section_key, item, responses, invited):
    answers = [response["answers"][item["key"]] for response in responses if item["key"] in response["answers"]]
    kind = item["type"]
    stats = {"key": item["key"], "section": section_key, "text": item["text"], "type": kind,
             "answered": len(answers), "response_rate": rate(len(answers), invited), "mean": None,
             "distribution": {}, "nps": None}
    if kind in SCALES:
        stats["mean"] = mean(answers)
        stats["distribution"] = {str(value): answers.count(value) for value in SCALES[kind]}
    if kind == RATING:
        stats["nps"] = net_promoter_score(answers)
    if kind == SINGLE:
        stats["distribution"] = {option: answers.count(option) for option in item["options"]}
    if kind == MULTIPLE:
        stats["distribution"] = {option: sum(option in chosen for chosen in answers) for option in item["options"]}
    return stats


def section_means(responses):
    """Mean of the responses' section scores, per section they scored."""
    sections = {}
    for response in responses:
        for key, score in response["section_scores"].items():
            sections.setdefault(key, []).append(score)
    return {key: mean(scores) for key, scores in sections.items()}


def overall(response):
    """A response's mean over its scored sections (1-5), or None."""
    return mean(response["section_scores"].values())


def by_respondent(responses):
    groups = {}
    for response in responses:
        groups.setdefault(response["respondent"], []).append(response)
    return {role: {"responses": len(group), "mean": mean(filter(None, map(overall, group)))}
            for role, group in sorted(groups.items())}


def learners_answering(responses):
    """Responses given by the invited learners themselves (the response rate's numerator)."""
    return sum(response["respondent"] == "learner" for response in responses)


def nps_of(responses):
    return net_promoter_score(response["nps"] for response in responses if response.get("nps") is not None)


def survey_report(survey, responses, min_group_size):
    """Per question and section statistics of one survey; only counts below the minimum group size."""
    questionnaire = survey["questionnaire"]
    withheld = len(responses) < min_group_size
    report = {"survey_id": survey["_id"], "title": survey["title"], "kind": survey["kind"],
              "session_id": survey["session_id"], "course": survey["course"], "trainer_ids": survey["trainer_ids"],
              "anonymous": survey["anonymous"], "status": survey["status"], "invited": survey["invited"],
              "responses": len(responses), "response_rate": rate(learners_answering(responses), survey["invited"]),
              "min_group_size": min_group_size, "withheld": withheld, "nps": None, "sections": [],
              "questions": [], "by_respondent": {}}
    if withheld:
        return report
    means = section_means(responses)
    report["nps"] = nps_of(responses)
    report["sections"] = [{"key": section["key"], "title": section["title"], "mean": means.get(section["key"]),
                           "answered": sum(section["key"] in response["section_scores"] for response in responses)}
                          for section in questionnaire["sections"]
                          if any(item["type"] in (LIKERT, RATING) for item in section["items"])]
    report["questions"] = [question_stats(section_key, item, responses, survey["invited"])
                           for section_key, item in items_of(questionnaire)]
    report["by_respondent"] = by_respondent(responses)
    return report


def trend(surveys, responses_by_survey, min_group_size):
    """One point per survey (session), oldest first, and each section's change from the first
    shown session to the last."""
    points = []
    for survey in sorted(surveys, key=lambda survey: (survey["held_at"], survey["_id"])):
        responses = responses_by_survey.get(survey["_id"], [])
        withheld = len(responses) < min_group_size
        points.append({"survey_id": survey["_id"], "session_id": survey["session_id"], "title": survey["title"],
                       "held_at": survey["held_at"], "responses": len(responses), "withheld": withheld,
                       "section_scores": {} if withheld else section_means(responses),
                       "nps": None if withheld else nps_of(responses)})
    shown = [point for point in points if not point["withheld"]]
    change = {}
    if len(shown) > 1:
        first, last = shown[0]["section_scores"], shown[-1]["section_scores"]
        change = {key: round(last[key] - first[key], 2) for key in first if key in last}
    return points, change
