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
from abc import ABC, abstractmethod
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
                           new_event=new_event, now=now, claim=LearnerClaim.of(db, survey_id, actor["id"], now))


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
                           channel=request["channel"], new_event=new_event, now=now,
                           claim=LearnerClaim.of(db, survey_id, learner_id, now) if learner_id else None,
                           source=request["source"], recorded_by=actor["id"])


def insert_response(db, survey, answers, respondent, learner_id, channel, new_event, now, claim=None,
                    source=None, recorded_by=None):
    """Write one response and its events. With `claim`, the respondent is entered first, naming the
    response, and settled once it is stored (see the module's doc)."""
    anonymous = survey["anonymous"]
    response = new_response(survey, answers, respondent, None if anonymous else learner_id, channel,
                            now.replace(hour=0, minute=0, second=0, microsecond=0) if anonymous else now,
                            source, recorded_by)
    response["outbox"] = submitted_events(survey, response, new_event)
    if claim:
        claim.take(response["_id"])
    try:
        db[RESPONSES].insert_one(response)
    except Exception:
        if claim:  # give the answer back rather than lose it
            claim.give_back(response["_id"])
        raise
    if claim:
        claim.settle(response["_id"])
    return response


class Claim(ABC):
    """An entry (a learner's respondent entry, an invitation) that says "answered" before the
    response is written: while it is written the entry names it (`pending`, `claimed_at`).
    Subclasses name their COLLECTION and say how an answer is entered and given back."""
    COLLECTION = None

    def __init__(self, db, entry_id, now):
        self.db, self.collection, self.entry_id, self.now = db, db[self.COLLECTION], entry_id, now

    @abstractmethod
    def take(self, response_id):
        """Enter the answer; Conflict if one was given, or is being written."""

    @abstractmethod
    def give_back(self, response_id):
        """Undo `take` after the response could not be written."""

    def take_over(self, entry, response_id):
        """True if this attempt may write `response_id` where an earlier one claimed the entry and
        crashed before storing its response; an earlier response that was stored is settled."""
        if not entry.get("pending") or entry["claimed_at"] >= self.now - CLAIM_STALE_AFTER:
            return False
        if self.db[RESPONSES].find_one({"_id": entry["pending"]}, {"_id": 1}):
            self.settle(entry["pending"])
            return False
        return self.collection.update_one({"_id": self.entry_id, "pending": entry["pending"]},
                                          {"$set": {"pending": response_id, "claimed_at": self.now}}
                                          ).modified_count == 1

    def settle(self, response_id):
        """The response is stored: the entry keeps nothing that points at it."""
        self.collection.update_one({"_id": self.entry_id, "pending": response_id},
                                   {"$unset": {"pending": "", "claimed_at": ""}})

    @classmethod
    def resolve_stale(cls, db, now):
        """Settle the claims of crashed attempts whose response was stored; give back the others."""
        for entry in db[cls.COLLECTION].find({"pending": {"$exists": True},
                                              "claimed_at": {"$lt": now - CLAIM_STALE_AFTER}}):
            claim = cls(db, entry["_id"], now)
            if db[RESPONSES].find_one({"_id": entry["pending"]}, {"_id": 1}):
                claim.settle(entry["pending"])
            else:
                claim.give_back(entry["pending"])


class LearnerClaim(Claim):
    """A learner's one answer to a survey: their respondent entry, unique per survey and learner."""
    COLLECTION = RESPONDENTS

    def __init__(self, db, entry_id, now, survey_id=None, learner_id=None):
        super().__init__(db, entry_id, now)
        self.survey_id, self.learner_id = survey_id, learner_id

    @classmethod
    def of(cls, db, survey_id, learner_id, now):
        return cls(db, respondent_id(survey_id, learner_id), now, survey_id, learner_id)

    def take(self, response_id):
        try:
            self.collection.insert_one({"_id": self.entry_id, "survey_id": self.survey_id,
                                        "learner_id": self.learner_id, "pending": response_id,
                                        "claimed_at": self.now})
            return
        except DuplicateKeyError:
            entry = self.collection.find_one({"_id": self.entry_id}) or {}
        if not self.take_over(entry, response_id):
            raise Conflict("you have answered this survey already", {"survey_id": self.survey_id})

    def give_back(self, response_id):
        self.collection.delete_one({"_id": self.entry_id, "pending": response_id})


def resolve_stale_claims(db, now):
    LearnerClaim.resolve_stale(db, now)


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
