"""Effect evaluation reports of a session, a course or a plan, combining Kirkpatrick's four levels:

    1 reaction   the reaction surveys' results (section means, net promoter score)
    2 learning   exam results from assessment (mean score, pass rate, pre/post gain)
    3 behaviour  the follow-up surveys: the learners, their supervisors and their peers
    4 results    business indicators of the courses, before and after

A report is computed when it is created and again on `refresh` while it is a draft; completing
it computes it a last time, freezes it and publishes EvaluationCompleted.v2 with each level's
score and the weak topics (planning turns them into needs).

    draft → completed
"""
from shared.errors import NotFound
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.feedback import statistics
from services.feedback.indicators import indicators_of
from services.feedback.learning import learning_level, results_of_sessions
from services.feedback.responses import responses_of
from services.feedback.standard import FOLLOW_UP, REACTION
from services.feedback.store import EVALUATIONS, SESSIONS, SURVEYS

TRANSITIONS = {"refresh": (("draft",), "draft"), "complete": (("draft",), "completed")}
EVALUATION_STATES = StateMachine(EVALUATIONS, "evaluation", TRANSITIONS)
SUBJECT_FIELD = {"session": "session_id", "course": "course", "plan": "plan_id"}


def covered(db, scope, subject):
    """The sessions and surveys an evaluation of `scope` `subject` covers; NotFound if none."""
    field = "_id" if scope == "session" else SUBJECT_FIELD[scope]
    sessions = list(db[SESSIONS].find({field: subject}))
    surveys = list(db[SURVEYS].find({SUBJECT_FIELD[scope]: subject}, {"attendees": 0, "outbox": 0}))
    if not sessions and not surveys:
        raise NotFound(f"no session or survey belongs to {scope} {subject}", {SUBJECT_FIELD[scope]: subject})
    return sessions, surveys


def on_five_point_percent(value):
    return None if value is None else round((value - 1) / 4 * 100, 1)


def reaction_level(surveys, responses, min_group_size):
    invited = sum(survey["invited"] for survey in surveys)
    withheld = len(responses) < min_group_size
    return {"surveys": len(surveys), "invited": invited, "responses": len(responses),
            "response_rate": statistics.rate(statistics.learners_answering(responses), invited), "withheld": withheld,
            "section_scores": {} if withheld else statistics.section_means(responses),
            "nps": None if withheld else statistics.nps_of(responses)}


def behaviour_level(responses, min_group_size):
    withheld = len(responses) < min_group_size
    return {"responses": len(responses), "withheld": withheld,
            "by_respondent": {} if withheld else statistics.by_respondent(responses),
            "mean": None if withheld else statistics.mean(filter(None, map(statistics.overall, responses)))}


def level_scores(reaction, learning, behaviour, results):
    """Each level's score (0-100, None without data) and a one-line summary."""
    reaction_mean = statistics.mean(reaction["section_scores"].values())
    improved, indicators = results["improved"], len(results["indicators"])
    return [
        {"level": 1, "name": "reaction", "score": on_five_point_percent(reaction_mean),
         "summary": withheld_or(reaction, f"{reaction['responses']} responses, response rate "
                                          f"{reaction['response_rate']}; mean {reaction_mean} of 5; net promoter "
                                          f"score {reaction['nps']}")},
        {"level": 2, "name": "learning", "score": learning["mean_score"],
         "summary": (f"{learning['learners']} learners: mean score {learning['mean_score']}%, pass rate "
                     f"{learning['pass_rate']}; gain {learning['mean_gain']} points over {learning['pairs']} "
                     f"pre-tests" if learning["learners"] else "no exam results")},
        {"level": 3, "name": "behaviour", "score": on_five_point_percent(behaviour["mean"]),
         "summary": withheld_or(behaviour, f"{behaviour['responses']} follow-up answers; mean {behaviour['mean']} "
                                           f"of 5")},
        {"level": 4, "name": "results", "score": round(100 * improved / indicators, 1) if indicators else None,
         "summary": f"{improved} of {indicators} business indicators improved" if indicators
         else "no business indicators recorded"},
    ]


def withheld_or(level, summary):
    if not level["responses"]:
        return "no responses"
    return f"{level['responses']} responses: fewer than the minimum group size, withheld" if level["withheld"] \
        else summary


def compute(db, scope, subject, min_group_size, now):
    sessions, surveys = covered(db, scope, subject)
    session_ids = {session["_id"] for session in sessions} | {s["session_id"] for s in surveys if s["session_id"]}
    courses = {session["course"] for session in sessions} | {survey["course"] for survey in surveys}
    by_kind = {kind: [survey for survey in surveys if survey["kind"] == kind] for kind in (REACTION, FOLLOW_UP)}
    responses = {kind: responses_of(db, {"survey_id": {"$in": [survey["_id"] for survey in group]}})
                 for kind, group in by_kind.items()}
    reaction = reaction_level(by_kind[REACTION], responses[REACTION], min_group_size)
    learning = learning_level(results_of_sessions(db, session_ids))
    behaviour = behaviour_level(responses[FOLLOW_UP], min_group_size)
    indicators = indicators_of(db, courses)
    results = {"indicators": indicators, "improved": sum(indicator["improved"] for indicator in indicators)}
    return {"sessions": sorted(session_ids), "reaction": reaction, "learning": learning, "behaviour": behaviour,
            "results": results, "levels": level_scores(reaction, learning, behaviour, results),
            "weak_topics": learning["weak_topics"], "computed_at": now}


def default_title(db, scope, subject):
    session = db[SESSIONS].find_one({"_id" if scope == "session" else SUBJECT_FIELD[scope]: subject},
                                    sort=[("starts_at", -1)])
    name = session["title"] if session and scope != "plan" else subject
    return f"Evaluation of {scope} {name}"


def create_evaluation(db, request, actor, min_group_size, now):
    scope = request["scope"]
    subject = request[SUBJECT_FIELD[scope]]
    report = compute(db, scope, subject, min_group_size, now)
    doc = {"_id": new_id("evaluation"), "scope": scope, "session_id": None, "course": None, "plan_id": None,
           SUBJECT_FIELD[scope]: subject, "title": request["title"] or default_title(db, scope, subject),
           "status": "draft", **report, "conclusion": None, "created_by": actor["id"], "created_at": now,
           "completed_by": None, "completed_at": None, "history": [], "outbox": [], "updated_at": now}
    db[EVALUATIONS].insert_one(doc)
    return doc


def subject_of(evaluation):
    return evaluation[SUBJECT_FIELD[evaluation["scope"]]]


def refresh_evaluation(db, evaluation_id, actor, min_group_size, now):
    evaluation = EVALUATION_STATES.require(get_evaluation(db, evaluation_id), "refresh")
    report = compute(db, evaluation["scope"], subject_of(evaluation), min_group_size, now)
    return EVALUATION_STATES.apply(db, evaluation, "refresh", changes=report,
                                   history={"action": "refreshed", "by": actor["id"]}, now=now)


def complete_evaluation(db, evaluation_id, request, actor, new_event, min_group_size, now):
    evaluation = EVALUATION_STATES.require(get_evaluation(db, evaluation_id), "complete")
    report = compute(db, evaluation["scope"], subject_of(evaluation), min_group_size, now)
    if request["weak_topics"] is not None:
        report["weak_topics"] = list(dict.fromkeys(request["weak_topics"]))
    event = new_event("EvaluationCompleted.v2", evaluation_id, {
        "evaluation_id": evaluation_id, "scope": evaluation["scope"], "session_id": evaluation["session_id"],
        "course": evaluation["course"], "plan_id": evaluation["plan_id"],
        "levels": [{"level": level["level"], "score": level["score"], "summary": level["summary"]}
                   for level in report["levels"]],
        "weak_topics": report["weak_topics"], "completed_at": now})
    return EVALUATION_STATES.apply(db, evaluation, "complete", events=[event], now=now,
                                   changes=dict(report, conclusion=request["conclusion"], completed_by=actor["id"],
                                                completed_at=now),
                                   history={"action": "completed", "by": actor["id"]})


def get_evaluation(db, evaluation_id):
    return fetch(db[EVALUATIONS], evaluation_id, "evaluation")


def list_evaluations(db, scope=None, status=None, course=None, plan_id=None, limit=20, offset=0):
    query = {key: value for key, value in (("scope", scope), ("status", status), ("course", course),
                                           ("plan_id", plan_id)) if value is not None}
    return page(db[EVALUATIONS], query, [("created_at", -1), ("_id", 1)], limit, offset)
