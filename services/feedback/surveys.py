"""Surveys: a questionnaire put to a session's attendees for a while.

    scheduled → open → closed        (a follow-up waits, scheduled, until it is due)

When delivery completes a session (SessionCompleted.v1), the session's reaction survey opens for
the learners who attended (present or late) and its follow-up survey is scheduled
FEEDBACK_FOLLOW_UP_WEEKS later. Both ids derive from the session id, so a redelivered or
replayed event opens nothing twice. Staff may also open a survey by hand, e.g. for a session
held outside the platform.

Who sees a survey: the department's overseers (supervisor, specialist, manager, auditor, admin)
every survey; a trainer the surveys of their own sessions; a learner the surveys they were
invited to. Nobody sees who has answered: only how many.
"""
from dataclasses import dataclass
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, NotFound
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.feedback.questionnaires import get_questionnaire, snapshot
from services.feedback.standard import FOLLOW_UP, REACTION
from services.feedback.store import RESPONDENTS, RESPONSES, SESSIONS, SURVEYS

ATTENDED = ("present", "late")
OVERSEERS = ("supervisor", "specialist", "manager", "auditor", "admin")
ORGANISERS = ("supervisor", "specialist", "admin")  # open and close surveys of any session
LEARNER = "learner"

TRANSITIONS = {"open": (("scheduled",), "open"), "close": (("open",), "closed")}
RECORDED_AS = {"open": "opened", "close": "closed"}
SURVEY_STATES = StateMachine(SURVEYS, "survey", TRANSITIONS)


@dataclass(frozen=True)
class Rules:
    """The service's settings that shape surveys (FEEDBACK_* in docs/services/feedback.md)."""
    questionnaire_id: str = "standard-reaction"
    follow_up_questionnaire_id: str = "standard-follow-up"
    open_days: float = 7
    anonymous: bool = False
    follow_up_weeks: float = 6
    reminder_after_hours: float = 72
    min_group_size: int = 3
    channels: tuple = ("email",)
    public_url: str = "http://127.0.0.1:8080"


def course_of(session):
    """Sessions of one plan item are one course; a session outside any plan is a course of its own."""
    return session.get("item_id") or session["session_id"]


def on_session_scheduled(db, session):
    """Know a session's course from its scheduling on, so that pre-tests taken before it count."""
    db[SESSIONS].update_one({"_id": session["session_id"]}, {"$setOnInsert": {
        "title": session["title"], "course": course_of(session), "plan_id": session.get("plan_id"),
        "item_id": session.get("item_id"), "topics": session.get("topics") or [],
        "trainer_ids": session.get("trainer_ids") or [], "starts_at": session["starts_at"],
        "ends_at": session["ends_at"], "attendees": [], "completed_at": None}}, upsert=True)


def on_session_completed(db, session, rules, now):
    """Record the completed session, open its reaction survey and schedule its follow-up."""
    attendees = sorted({entry["learner_id"] for entry in session["attendance"] if entry["status"] in ATTENDED})
    course = course_of(session)
    db[SESSIONS].update_one({"_id": session["session_id"]}, {"$set": {
        "title": session["title"], "course": course, "plan_id": session.get("plan_id"),
        "item_id": session.get("item_id"), "topics": session.get("topics") or [],
        "trainer_ids": session["trainer_ids"], "starts_at": session["starts_at"],
        "ends_at": session["ends_at"], "attendees": attendees, "completed_at": session["completed_at"]}},
        upsert=True)
    facts = {"session_id": session["session_id"], "course": course, "plan_id": session.get("plan_id"),
             "trainer_ids": session["trainer_ids"], "attendees": attendees, "held_at": session["starts_at"]}
    reaction = get_questionnaire(db, rules.questionnaire_id)
    insert_once(db, new_survey(f"survey-{session['session_id']}", REACTION, session["title"], reaction, facts,
                               rules.anonymous, now, now + timedelta(days=rules.open_days), "delivery", now))
    follow_up = get_questionnaire(db, rules.follow_up_questionnaire_id)
    opens_at = session["completed_at"] + timedelta(weeks=rules.follow_up_weeks)
    insert_once(db, new_survey(f"follow-up-{session['session_id']}", FOLLOW_UP, session["title"], follow_up, facts,
                               False, opens_at, opens_at + timedelta(days=rules.open_days), "delivery", now,
                               status="scheduled"))


def new_survey(survey_id, kind, title, questionnaire, facts, anonymous, opens_at, closes_at, by, now,
               status="open"):
    return {"_id": survey_id, "kind": kind, "title": title, "questionnaire": snapshot(questionnaire),
            "session_id": facts.get("session_id"), "course": facts.get("course"), "plan_id": facts.get("plan_id"),
            "trainer_ids": list(facts.get("trainer_ids") or []), "attendees": list(facts["attendees"]),
            "invited": len(facts["attendees"]), "held_at": facts.get("held_at") or opens_at,
            "anonymous": anonymous, "status": status, "opens_at": opens_at, "closes_at": closes_at,
            "messages": {}, "history": [], "created_by": by, "created_at": now, "updated_at": now}


def insert_once(db, survey):
    try:
        db[SURVEYS].insert_one(survey)
    except DuplicateKeyError:
        pass  # opened already (a redelivered or replayed event)


def open_survey(db, request, actor, rules, now):
    """A survey staff open by hand for the learners they name."""
    if not set(actor["roles"]) & set(ORGANISERS) and actor["id"] not in request["trainer_ids"]:
        raise Forbidden("a trainer opens surveys of their own sessions only: name yourself among its trainers",
                        {"trainer_ids": request["trainer_ids"]})
    questionnaire = get_questionnaire(db, request["questionnaire_id"])
    kind = questionnaire["purpose"]
    session_id = request["session_id"]
    prefix = "survey" if kind == REACTION else "follow-up"
    survey_id = f"{prefix}-{session_id}" if session_id else new_id(prefix)
    closes_at = request["closes_at"] or now + timedelta(days=rules.open_days)
    if closes_at <= now:
        raise Conflict("a survey cannot close before it opens", {"closes_at": closes_at.isoformat()})
    facts = {"session_id": session_id, "course": request["course"] or session_id or survey_id,
             "plan_id": request["plan_id"], "trainer_ids": request["trainer_ids"],
             "attendees": sorted(set(request["learner_ids"]))}
    survey = new_survey(survey_id, kind, request["title"], questionnaire, facts, request["anonymous"], now,
                        closes_at, actor["id"], now)
    try:
        db[SURVEYS].insert_one(survey)
    except DuplicateKeyError:
        raise Conflict(f"session {session_id} has its {kind.replace('_', '-')} survey already",
                       {"survey_id": survey_id}) from None
    return survey


def close_survey(db, survey_id, actor, now):
    survey = managed_survey(db, survey_id, actor)
    return SURVEY_STATES.apply(db, survey, "close", history={"action": "closed", "by": actor["id"]}, now=now)


def get_survey(db, survey_id):
    return fetch(db[SURVEYS], survey_id, "survey")


def oversees(actor):
    return bool(set(actor["roles"]) & set(OVERSEERS))


def visible_survey(db, survey_id, actor):
    """The survey if the caller may see it (NotFound for a learner it was not put to)."""
    survey = get_survey(db, survey_id)
    if oversees(actor) or actor["id"] in survey["trainer_ids"]:
        return survey
    if LEARNER in actor["roles"] and actor["id"] in survey["attendees"] and survey["status"] != "scheduled":
        return survey
    if LEARNER in actor["roles"] and set(actor["roles"]) == {LEARNER}:
        raise NotFound(f"survey {survey_id} does not exist", {"survey_id": survey_id})
    raise Forbidden("a trainer sees the surveys of their own sessions", {"trainer_ids": survey["trainer_ids"]})


def managed_survey(db, survey_id, actor):
    """The survey if the caller may manage it: organisers any, trainers their own sessions'."""
    survey = get_survey(db, survey_id)
    if set(actor["roles"]) & set(ORGANISERS) or actor["id"] in survey["trainer_ids"]:
        return survey
    raise Forbidden("only organisers and the session's trainers manage its survey",
                    {"trainer_ids": survey["trainer_ids"]})


def require_staff_view(db, survey_id, actor):
    """The survey if the caller may read its results: overseers, or its session's trainers."""
    survey = get_survey(db, survey_id)
    if oversees(actor) or actor["id"] in survey["trainer_ids"]:
        return survey
    raise Forbidden("results are for the department's staff and the session's trainers",
                    {"trainer_ids": survey["trainer_ids"]})


def list_surveys(db, actor, status=None, kind=None, session_id=None, course=None, trainer_id=None,
                 limit=20, offset=0):
    query = {key: value for key, value in (("status", status), ("kind", kind), ("session_id", session_id),
                                           ("course", course), ("trainer_ids", trainer_id)) if value is not None}
    if not oversees(actor):
        if LEARNER in actor["roles"] and "trainer" not in actor["roles"]:
            query["attendees"] = actor["id"]
            if status is None:
                query["status"] = {"$in": ["open", "closed"]}
        else:
            query["trainer_ids"] = actor["id"]
    total, surveys = page(db[SURVEYS], query, [("opens_at", -1), ("_id", 1)], limit, offset)
    return total, [survey_view(db, survey, actor) for survey in surveys]


def survey_view(db, survey, actor):
    """What the caller sees of a survey: staff the response count and message outcomes, a
    learner whether they have answered; never who has."""
    view = {key: value for key, value in survey.items() if key not in ("attendees", "history", "outbox")}
    if oversees(actor) or actor["id"] in survey["trainer_ids"]:
        view["responses"] = db[RESPONSES].count_documents({"survey_id": survey["_id"]})
    else:
        view["messages"] = {}
        view["answered"] = db[RESPONDENTS].count_documents({"_id": respondent_id(survey["_id"], actor["id"])}) == 1
    return view


def respondent_id(survey_id, learner_id):
    return f"{survey_id}:{learner_id}"


def require_answerable(survey, now):
    """Conflict unless the survey takes answers now."""
    if survey["status"] != "open" or survey["closes_at"] <= now:
        state = "closed" if survey["status"] == "open" else survey["status"]
        raise Conflict(f"survey {survey['_id']} is {state} and takes no answers",
                       {"status": state, "survey_id": survey["_id"], "closes_at": survey["closes_at"].isoformat()})
    return survey


def due_transitions(db, now):
    """Open follow-ups that are due and close surveys past their end; returns (opened, closed) ids."""
    opened, closed = [], []
    for action, query, done in (
            ("open", {"status": "scheduled", "opens_at": {"$lte": now}}, opened),
            ("close", {"status": "open", "closes_at": {"$lte": now}}, closed)):
        for survey in db[SURVEYS].find(query):
            try:
                SURVEY_STATES.apply(db, survey, action, history={"action": RECORDED_AS[action], "by": "feedback"}, now=now)
                done.append(survey["_id"])
            except Conflict:
                pass  # another replica's round or a person did it first
    return opened, closed
