"""Level-1 analysis read from the store: a survey's report, trends across the sessions of a
course or of a trainer, and text mining of open answers per survey, course or trainer.

Overseers see every course and trainer; a trainer sees their own sessions only.
"""
from shared.errors import Forbidden

from services.feedback import scoring, statistics, text_mining
from services.feedback.responses import responses_of
from services.feedback.standard import REACTION
from services.feedback.store import SURVEYS
from services.feedback.surveys import oversees, require_staff_view


def survey_report(db, survey_id, actor, min_group_size):
    survey = require_staff_view(db, survey_id, actor)
    return statistics.survey_report(survey, responses_of(db, {"survey_id": survey_id}), min_group_size)


def scoped_surveys(db, actor, course=None, trainer_id=None):
    """The reaction surveys of a course or a trainer that the caller may read."""
    query = {"kind": REACTION, **({"course": course} if course is not None else {"trainer_ids": trainer_id})}
    if not oversees(actor):
        if trainer_id is not None and trainer_id != actor["id"]:
            raise Forbidden("a trainer reads their own results only", {"trainer_id": trainer_id})
        query["trainer_ids"] = actor["id"]
    return list(db[SURVEYS].find(query, {"attendees": 0, "outbox": 0}))


def grouped_responses(db, surveys):
    grouped = {survey["_id"]: [] for survey in surveys}
    for response in responses_of(db, {"survey_id": {"$in": list(grouped)}}):
        grouped[response["survey_id"]].append(response)
    return grouped


def trends(db, actor, min_group_size, course=None, trainer_id=None):
    surveys = scoped_surveys(db, actor, course, trainer_id)
    points, change = statistics.trend(surveys, grouped_responses(db, surveys), min_group_size)
    return {"course": course, "trainer_id": trainer_id, "min_group_size": min_group_size, "sessions": points,
            "change": change}


def text_analysis(db, actor, min_group_size, survey_id=None, course=None, trainer_id=None):
    surveys = [require_staff_view(db, survey_id, actor)] if survey_id else scoped_surveys(db, actor, course,
                                                                                          trainer_id)
    questionnaires = {survey["_id"]: survey["questionnaire"] for survey in surveys}
    responses = [response for group in grouped_responses(db, surveys).values() for response in group]
    result = {"survey_id": survey_id, "course": course, "trainer_id": trainer_id, "responses": len(responses),
              "min_group_size": min_group_size, "withheld": len(responses) < min_group_size}
    if result["withheld"]:
        return dict(result, answers=0, languages={}, keywords=[], themes=[],
                    sentiment={"positive": 0, "negative": 0, "neutral": 0})
    texts = [text for response in responses
             for text in scoring.open_texts(questionnaires[response["survey_id"]], response["answers"])]
    return dict(result, **text_mining.analyse(texts))
