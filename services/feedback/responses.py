"""Responses to surveys: learners answering once, staff recording what they collected.

One answer per learner: before the answers are written, the learner is entered in the
respondents collection under the unique key (survey, learner); of two submissions at the same
moment only one gets in, the other is a Conflict. The respondent entry holds no time and no
reference to the response, and an anonymous response holds no learner id and only the day it
was given, so nothing joins the two.

Each response is written with its events in one insert: FeedbackSubmitted.v2 always, and
FeedbackSubmitted.v1 beside it for a named learner's response that rates the four standard
sections (for consumers that have not moved to v2).
"""
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, InvalidInput
from shared.store import new_id, page

from services.feedback import scoring
from services.feedback.surveys import (LEARNER, managed_survey, require_answerable, require_staff_view,
                                       respondent_id, visible_survey)
from services.feedback.store import RESPONDENTS, RESPONSES

ONLINE = "online"


def submit(db, survey_id, request, actor, new_event, now):
    """The signed-in learner answers a survey they attended, once."""
    survey = visible_survey(db, survey_id, actor)
    if LEARNER not in actor["roles"] or actor["id"] not in survey["attendees"]:
        raise Forbidden("only the session's attendees answer its survey", {"survey_id": survey_id})
    require_answerable(survey, now)
    answers = scoring.checked_answers(survey["questionnaire"], request["answers"])
    return insert_response(db, survey, answers, respondent=LEARNER, learner_id=actor["id"], channel=ONLINE,
                           new_event=new_event, now=now, claim=True)


def record(db, survey_id, request, actor, new_event, now):
    """Staff record feedback given face to face or as an online rating; named only on a named survey."""
    survey = managed_survey(db, survey_id, actor)
    if survey["status"] == "scheduled":
        raise Conflict(f"survey {survey_id} is not open yet", {"status": "scheduled", "survey_id": survey_id})
    learner_id = request["learner_id"]
    if learner_id and survey["anonymous"]:
        raise InvalidInput("an anonymous survey records no learner", {"fields": {"learner_id": ["not allowed"]}})
    if learner_id and learner_id not in survey["attendees"]:
        raise InvalidInput("the learner did not attend this session", {"fields": {"learner_id": ["not an attendee"]}})
    answers = scoring.checked_answers(survey["questionnaire"], request["answers"], require_all=False)
    return insert_response(db, survey, answers, respondent=LEARNER if learner_id else "staff", learner_id=learner_id,
                           channel=request["channel"], new_event=new_event, now=now, claim=bool(learner_id),
                           source=request["source"], recorded_by=actor["id"])


def insert_response(db, survey, answers, respondent, learner_id, channel, new_event, now, claim,
                    source=None, recorded_by=None):
    """Write one response and its events; with `claim`, only if the learner has not answered yet."""
    anonymous = survey["anonymous"]
    if claim:
        try:
            db[RESPONDENTS].insert_one({"_id": respondent_id(survey["_id"], learner_id), "survey_id": survey["_id"],
                                        "learner_id": learner_id})
        except DuplicateKeyError:
            raise Conflict("you have answered this survey already", {"survey_id": survey["_id"]}) from None
    response = new_response(survey, answers, respondent, None if anonymous else learner_id, channel,
                            now.replace(hour=0, minute=0, second=0, microsecond=0) if anonymous else now,
                            source, recorded_by)
    response["outbox"] = submitted_events(survey, response, new_event)
    try:
        db[RESPONSES].insert_one(response)
    except Exception:
        if claim:  # give the learner their answer back rather than lose it
            db[RESPONDENTS].delete_one({"_id": respondent_id(survey["_id"], learner_id)})
        raise
    return response


def new_response(survey, answers, respondent, learner_id, channel, submitted_at, source=None, recorded_by=None):
    questionnaire = survey["questionnaire"]
    return {"_id": new_id("response"), "survey_id": survey["_id"], "kind": survey["kind"],
            "session_id": survey["session_id"], "course": survey["course"], "plan_id": survey.get("plan_id"),
            "trainer_ids": survey["trainer_ids"], "respondent": respondent, "channel": channel,
            "learner_id": learner_id, "answers": answers,
            "section_scores": scoring.section_scores(questionnaire, answers),
            "nps": scoring.recommendation(questionnaire, answers), "source": source, "recorded_by": recorded_by,
            "submitted_at": submitted_at}


def submitted_events(survey, response, new_event):
    has_comment = scoring.has_open_text(survey["questionnaire"], response["answers"])
    events = [new_event("FeedbackSubmitted.v2", response["_id"], {
        "response_id": response["_id"], "survey_id": survey["_id"], "session_id": survey["session_id"],
        "respondent": response["respondent"], "anonymous": survey["anonymous"],
        "learner_id": response["learner_id"], "trainer_ids": survey["trainer_ids"],
        "section_scores": response["section_scores"], "nps": response["nps"], "has_comment": has_comment,
        "submitted_at": response["submitted_at"]})]
    ratings = scoring.standard_ratings(response["section_scores"])
    if response["respondent"] == LEARNER and response["learner_id"] and survey["session_id"] and ratings:
        events.append(new_event("FeedbackSubmitted.v1", response["_id"], {
            "response_id": response["_id"], "session_id": survey["session_id"], "learner_id": response["learner_id"],
            "ratings": ratings, "has_comment": has_comment, "submitted_at": response["submitted_at"]}))
    return events


def list_responses(db, survey_id, actor, min_group_size, respondent=None, limit=20, offset=0):
    """Staff read the answers (an anonymous survey's only once the group is large enough, and
    in no particular order); a learner reads their own named answers."""
    query = {"survey_id": survey_id, **({"respondent": respondent} if respondent else {})}
    if set(actor["roles"]) == {LEARNER}:
        visible_survey(db, survey_id, actor)
        return page(db[RESPONSES], dict(query, learner_id=actor["id"]), [("submitted_at", 1), ("_id", 1)],
                    limit, offset)
    survey = require_staff_view(db, survey_id, actor)
    if survey["anonymous"]:
        count = db[RESPONSES].count_documents({"survey_id": survey_id})
        if count < min_group_size:
            raise Conflict(f"an anonymous survey shows answers from {min_group_size} responses on",
                           {"responses": count, "min_group_size": min_group_size})
        return page(db[RESPONSES], query, [("_id", 1)], limit, offset)
    return page(db[RESPONSES], query, [("submitted_at", 1), ("_id", 1)], limit, offset)


def responses_of(db, query):
    return list(db[RESPONSES].find(query, {"outbox": 0}))
