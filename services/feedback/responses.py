"""Responses to surveys: learners answering once, staff recording what they collected.

One answer per learner: before the answers are written, the learner is entered in the
respondents collection under the unique key (survey, learner); of two submissions at the same
moment only one gets in, the other is a Conflict. The respondent entry holds no time and no
reference to the response, and an anonymous response holds no learner id and only the day it
was given, so nothing joins the two.

The two are separate writes, so a crash between them must neither lose the answer nor let it
count twice. The entry is therefore first written as a claim naming the response about to be
written (`pending`, `claimed_at`), and settled to the bare entry once that response is stored.
A claim left by a crash is resolved when it is stale, by the learner's next attempt or by the
survey round: if its response was stored the claim is settled, otherwise it is released (or taken
over by the new attempt) so the learner can answer. The link exists only while an answer is
being written or until a crashed one is resolved.

Each response is written with its events in one insert: FeedbackSubmitted.v2 always, and
FeedbackSubmitted.v1 beside it for a named learner's response that rates the four standard
sections (for consumers that have not moved to v2).
"""
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, InvalidInput
from shared.store import new_id, page

from services.feedback import scoring
from services.feedback.surveys import (LEARNER, managed_survey, require_answerable, require_staff_view,
                                       respondent_id, visible_survey)
from services.feedback.store import RESPONDENTS, RESPONSES

ONLINE = "online"
# Longer than any caller waits for an answer to be written: a claim this old belongs to an
# attempt that crashed, never to one that can still finish.
CLAIM_STALE_AFTER = timedelta(minutes=2)


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
    response = new_response(survey, answers, respondent, None if anonymous else learner_id, channel,
                            now.replace(hour=0, minute=0, second=0, microsecond=0) if anonymous else now,
                            source, recorded_by)
    response["outbox"] = submitted_events(survey, response, new_event)
    entry_id = respondent_id(survey["_id"], learner_id)
    if claim:
        claim_answer(db, survey["_id"], learner_id, response["_id"], now)
    try:
        db[RESPONSES].insert_one(response)
    except Exception:
        if claim:  # give the learner their answer back rather than lose it
            db[RESPONDENTS].delete_one({"_id": entry_id, "pending": response["_id"]})
        raise
    if claim:
        settle(db, entry_id, response["_id"])
    return response


def claim_answer(db, survey_id, learner_id, response_id, now):
    """Enter the learner as answering with `response_id`; Conflict if they have answered, or an
    answer of theirs is being written. A stale claim is resolved first (see the module's doc)."""
    entry_id = respondent_id(survey_id, learner_id)
    try:
        db[RESPONDENTS].insert_one({"_id": entry_id, "survey_id": survey_id, "learner_id": learner_id,
                                    "pending": response_id, "claimed_at": now})
        return
    except DuplicateKeyError:
        entry = db[RESPONDENTS].find_one({"_id": entry_id}) or {}
    stale = entry.get("pending") and entry["claimed_at"] < now - CLAIM_STALE_AFTER
    if stale and not db[RESPONSES].find_one({"_id": entry["pending"]}, {"_id": 1}):
        taken = db[RESPONDENTS].update_one({"_id": entry_id, "pending": entry["pending"]},
                                           {"$set": {"pending": response_id, "claimed_at": now}})
        if taken.modified_count == 1:
            return
    elif stale:
        settle(db, entry_id, entry["pending"])
    raise Conflict("you have answered this survey already", {"survey_id": survey_id})


def settle(db, entry_id, response_id):
    """The response is stored: the respondent entry keeps nothing that points at it."""
    db[RESPONDENTS].update_one({"_id": entry_id, "pending": response_id}, {"$unset": {"pending": "", "claimed_at": ""}})


def resolve_stale_claims(db, now):
    """Settle the claims of crashed attempts whose response was stored; release the others."""
    for entry in db[RESPONDENTS].find({"pending": {"$exists": True}, "claimed_at": {"$lt": now - CLAIM_STALE_AFTER}}):
        if db[RESPONSES].find_one({"_id": entry["pending"]}, {"_id": 1}):
            settle(db, entry["_id"], entry["pending"])
        else:
            db[RESPONDENTS].delete_one({"_id": entry["_id"], "pending": entry["pending"]})


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
