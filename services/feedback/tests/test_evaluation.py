"""Interface tests of analysis and effect evaluation: reports, trends and text mining of
answers, the four levels, improvement actions, messages, follow-ups by supervisors and peers,
and erasure. Real broker, store, archive and SMTP server."""
import importlib
import re
from datetime import date, timedelta

import pytest
from nameko.testing.services import entrypoint_hook

from shared.errors import Conflict, Forbidden, NotFound
from shared.events import make_envelope, utc_now
from shared.testing import SERVICE_CLASSES, deliver, rpc_to, run_together

from services.feedback import invitations, responses
from services.feedback.store import EXAM_RESULTS, INVITATIONS, RESPONSES, SURVEYS
from services.feedback.tests.conftest import (MANAGER, SUPERVISOR, TRAINER, DiesWritingResponses, Killed,
                                             completed_session, learner)
from services.feedback.tests.test_surveys import answers

LEARNERS = ("ada", "grace", "alan")
CHINESE = ("讲师讲得很清楚，例子很实用。", "节奏太快了，练习时间不够。", "练习很有帮助，讲师很耐心。")
ENGLISH = ("The trainer explained everything clearly, but the pace was too fast.",
           "More exercises please, the exercises were the best part.",
           "Great trainer, very patient with our questions.")


def everyone_answers(feedback, as_, survey_id, scores, texts=()):
    for index, (name, score) in enumerate(zip(LEARNERS, scores)):
        extra = {"improve": texts[index]} if index < len(texts) else {}
        as_(feedback, learner(name)).submit_response(survey_id, answers(score=score, recommend=score * 2, **extra))


def graded(submission, learner_id, score, session_id="session-1", pre_test=False, weak=(), days_ago=0):
    return make_envelope("ExamGraded.v1", submission, {
        "submission_id": submission, "exam_id": "exam-1", "learner_id": learner_id, "session_id": session_id,
        "score": score, "pass_score": 60, "passed": score >= 60, "weak_topics": list(weak),
        "graded_at": utc_now() - timedelta(days=days_ago), "method": "online", "pre_test": pre_test})


def test_report_per_question_and_section_with_net_promoter_score(feedback, as_, complete):
    survey_id = complete(feedback, "session-1", {name: "present" for name in LEARNERS + ("kurt",)})
    everyone_answers(feedback, as_, survey_id, (5, 4, 3))
    report = as_(feedback, SUPERVISOR).survey_report(survey_id)

    assert (report["invited"], report["responses"], report["response_rate"]) == (4, 3, 0.75)
    assert [(section["key"], section["mean"]) for section in report["sections"]] == [
        ("content", 4.0), ("format", 4.0), ("trainer", 4.0), ("effect", 4.0), ("recommendation", 4.2)]
    questions = {question["key"]: question for question in report["questions"]}
    assert questions["content_clear"]["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert questions["content_clear"]["mean"] == 4.0
    assert questions["recommend"]["nps"] == 0.0  # 10 promotes, 8 passive, 6 detracts
    assert questions["format_pace"]["answered"] == 0 and questions["format_pace"]["response_rate"] == 0.0
    assert report["nps"] == 0.0


def test_trends_across_the_sessions_of_a_course_and_of_a_trainer(feedback, as_, complete):
    first = complete(feedback, "session-1", {name: "present" for name in LEARNERS}, days_ago=30)
    second = complete(feedback, "session-2", {name: "present" for name in LEARNERS}, days_ago=2)
    small = complete(feedback, "session-3", {"ada": "present"}, days_ago=1)
    everyone_answers(feedback, as_, first, (3, 3, 3))
    everyone_answers(feedback, as_, second, (5, 4, 5))
    as_(feedback, learner("ada")).submit_response(small, answers(score=1))

    trend = as_(feedback, SUPERVISOR).trends({"course": "item-reports"})
    assert [(point["survey_id"], point["responses"], point["withheld"]) for point in trend["sessions"]] == [
        (first, 3, False), (second, 3, False), (small, 1, True)]
    assert trend["sessions"][1]["section_scores"]["trainer"] == 4.67
    assert trend["change"]["trainer"] == 1.67
    assert trend["sessions"][2]["section_scores"] == {}
    assert as_(feedback, TRAINER).trends({"trainer_id": "tom"})["sessions"] == trend["sessions"]


def test_text_mining_of_chinese_and_english_answers(feedback, as_, complete):
    chinese = complete(feedback, "session-1", {name: "present" for name in LEARNERS})
    english = complete(feedback, "session-2", {name: "present" for name in LEARNERS})
    everyone_answers(feedback, as_, chinese, (4, 4, 4), CHINESE)
    everyone_answers(feedback, as_, english, (4, 4, 4), ENGLISH)

    zh = as_(feedback, SUPERVISOR).survey_text_analysis(chinese)
    keywords = {keyword["word"]: keyword["count"] for keyword in zh["keywords"]}
    assert zh["languages"] == {"zh": 3}
    assert keywords["讲师"] == 2 and keywords["练习"] == 2
    themes = {theme["theme"]: theme for theme in zh["themes"]}
    assert (themes["trainer"]["positive"], themes["trainer"]["negative"]) == (2, 0)
    assert themes["pace"]["negative"] == 1
    assert zh["sentiment"] == {"positive": 2, "negative": 1, "neutral": 0}

    both = as_(feedback, SUPERVISOR).text_analysis({"course": "item-reports"})
    words = {(keyword["word"], keyword["language"]): keyword["count"] for keyword in both["keywords"]}
    assert both["answers"] == 6 and both["languages"] == {"zh": 3, "en": 3}
    assert words[("trainer", "en")] == 2 and words[("exercises", "en")] == 1 and words[("讲师", "zh")] == 2
    assert {theme["theme"]: theme["negative"] for theme in both["themes"]}["pace"] == 2


def test_exam_results_count_once_and_give_the_pre_post_gain(feedback, as_, db, complete):
    complete(feedback, "session-1", {name: "present" for name in LEARNERS})
    results = [graded("sub-1", "ada", 40, pre_test=True, days_ago=3), graded("sub-2", "ada", 85, weak=["charts"]),
               graded("sub-3", "grace", 50, pre_test=True, days_ago=3), graded("sub-4", "grace", 70),
               graded("sub-5", "alan", 55, weak=["charts", "filters"])]
    deliver(feedback, "on_exam_graded", "assessment", *results, results[1])  # one redelivered

    evaluation = as_(feedback, MANAGER).create_evaluation({"scope": "session", "session_id": "session-1"})
    assert db(feedback)[EXAM_RESULTS].count_documents({}) == 5
    assert evaluation["learning"] == {"results": 5, "learners": 3, "mean_score": 70.0, "pass_rate": 0.667,
                                      "pairs": 2, "mean_pre": 45.0, "mean_post": 77.5, "mean_gain": 32.5,
                                      "weak_topics": ["charts", "filters"]}  # weak for a third or more


def test_pre_tests_taken_before_a_session_completes_count_for_its_course(feedback, as_, complete):
    session = {key: value for key, value in completed_session("session-7", {}).items()
               if key not in ("attendance", "completed_at")}
    scheduled = make_envelope("SessionScheduled.v1", "session-7", dict(session, capacity=20))
    deliver(feedback, "on_session_scheduled", "delivery", scheduled, scheduled)
    deliver(feedback, "on_exam_graded", "assessment", graded("sub-1", "ada", 30, "session-7", pre_test=True))
    complete(feedback, "session-7", {"ada": "present"})
    deliver(feedback, "on_exam_graded", "assessment", graded("sub-2", "ada", 75, "session-7"))

    evaluation = as_(feedback, MANAGER).create_evaluation({"scope": "course", "course": "item-reports"})
    assert (evaluation["learning"]["pairs"], evaluation["learning"]["mean_gain"]) == (1, 45.0)
    assert evaluation["title"] == "Evaluation of course Reports workshop (session-7)"


def test_course_report_combines_four_levels_and_completion_feeds_planning(
        start_feedback, as_, complete, subscriber):
    feedback = start_feedback(FEEDBACK_FOLLOW_UP_WEEKS=0)
    survey_id = complete(feedback, "session-1", {name: "present" for name in LEARNERS})
    everyone_answers(feedback, as_, survey_id, (5, 4, 4))
    deliver(feedback, "on_exam_graded", "assessment", graded("sub-1", "ada", 90), graded("sub-2", "grace", 50,
                                                                                         weak=["filters"]))
    with entrypoint_hook(feedback, "survey_round") as survey_round:
        survey_round()  # the follow-up is due at once (FEEDBACK_FOLLOW_UP_WEEKS=0)
    for name in LEARNERS:
        as_(feedback, learner(name)).submit_response("follow-up-session-1", {"answers": {
            "applies_skills": 4, "works_independently": 4, "shares_knowledge": 4}})
    as_(feedback, MANAGER).record_indicator({"course": "item-reports", "name": "Report tickets per month",
                                             "better": "lower", "before": 40, "after": 25})
    as_(feedback, MANAGER).record_indicator({"course": "item-reports", "name": "Weekly report users",
                                             "unit": "%", "better": "higher", "before": 30, "after": 28})
    events = subscriber(feedback.config["AMQP_URI"], "feedback")

    evaluation = as_(feedback, MANAGER).create_evaluation({"scope": "course", "course": "item-reports"})
    assert evaluation["status"] == "draft" and evaluation["sessions"] == ["session-1"]
    assert [(level["level"], level["score"]) for level in evaluation["levels"]] == [
        (1, 84.0), (2, 70.0), (3, 75.0), (4, 50.0)]
    assert evaluation["behaviour"]["by_respondent"] == {"learner": {"responses": 3, "mean": 4.0}}
    assert [indicator["improved"] for indicator in evaluation["results"]["indicators"]] == [True, False]
    assert evaluation["weak_topics"] == ["filters"]

    proxies = [rpc_to(feedback, MANAGER) for _ in range(4)]
    services = [proxy.start() for proxy in proxies]
    try:
        outcomes = run_together(4, lambda index: services[index].complete_evaluation(
            evaluation["id"], {"conclusion": "Good reaction; filters need work."}))
    finally:
        for proxy in proxies:
            proxy.stop()
    assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 3

    envelope = events.wait_for("EvaluationCompleted.v2")
    assert envelope["data"]["course"] == "item-reports" and envelope["data"]["weak_topics"] == ["filters"]
    assert [level["score"] for level in envelope["data"]["levels"]] == [84.0, 70.0, 75.0, 50.0]
    assert events.collect(1.0, where=lambda body: body["type"] == "EvaluationCompleted.v2") == []
    with pytest.raises(Conflict):
        as_(feedback, MANAGER).refresh_evaluation(evaluation["id"])

    action = as_(feedback, MANAGER).raise_improvement_action({
        "evaluation_id": evaluation["id"], "topic": "Report filters", "description": "Add a filters exercise",
        "cause": "Half the learners failed the filter questions", "owner": "tom",
        "due_at": (date.today() + timedelta(days=30)).isoformat(), "urgency": "high"})
    raised = events.wait_for("ImprovementActionRaised.v1")
    assert raised["data"]["action_id"] == action["id"] and raised["data"]["evaluation_id"] == evaluation["id"]
    assert (raised["data"]["owner"], raised["data"]["urgency"]) == ("tom", "high")
    assert as_(feedback, TRAINER).move_improvement_action(action["id"], "start")["status"] == "in_progress"
    with pytest.raises(Forbidden):
        as_(feedback, {"id": "tina", "roles": ["trainer"]}).move_improvement_action(action["id"], "complete")
    done = as_(feedback, TRAINER).move_improvement_action(action["id"], "complete", {"note": "exercise added"})
    assert [entry["action"] for entry in done["history"]] == ["raised", "started", "completed"]
    with pytest.raises(Conflict):
        as_(feedback, MANAGER).move_improvement_action(action["id"], "cancel")
    with pytest.raises(NotFound):
        as_(feedback, MANAGER).create_evaluation({"scope": "plan", "plan_id": "plan-unknown"})


@pytest.fixture
def archive(running_service):
    """The real archive service, which resolves learners' contact details."""
    module, name = SERVICE_CLASSES["archive"].split(":")
    return running_service(getattr(importlib.import_module(module), name))


def register(as_, archive, names):
    for name in names:
        as_(archive, SUPERVISOR).register_learner({"learner_id": name, "first_name": name.title(),
                                                   "last_name": "Tester", "email": f"{name}@example.com",
                                                   "organisation": "Acme", "user_type": "customer"})


def test_invitation_and_reminder_reach_whom_they_should_once(
        start_feedback, archive, as_, db, complete, smtp_server, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    feedback = start_feedback(FEEDBACK_REMINDER_AFTER_HOURS=0)
    register(as_, archive, LEARNERS)
    survey_id = complete(feedback, "session-1", {name: "present" for name in LEARNERS})
    as_(feedback, learner("ada")).submit_response(survey_id, answers())

    for _ in range(2):  # the second round finds everything sent
        with entrypoint_hook(feedback, "survey_round") as survey_round:
            survey_round()

    recipients = sorted(sorted(mail["X-RcptTo"].split(", ")) for mail in smtp_server.messages())
    assert recipients == [["ada@example.com", "alan@example.com", "grace@example.com"],  # the invitation
                          ["alan@example.com", "grace@example.com"]]  # the reminder: ada has answered
    messages = as_(feedback, SUPERVISOR).get_survey(survey_id)["messages"]
    assert {name: entry["email"]["status"] for name, entry in messages.items()} == {
        "invitation": "sent", "reminder": "sent"}

    db(feedback)[SURVEYS].update_one({"_id": survey_id}, {"$set": {"closes_at": utc_now() - timedelta(seconds=1)}})
    with entrypoint_hook(feedback, "survey_round") as survey_round:
        survey_round()
    assert as_(feedback, SUPERVISOR).get_survey(survey_id)["status"] == "closed"


def test_supervisors_and_peers_answer_a_follow_up_through_a_one_time_link(
        start_feedback, archive, as_, db, complete, smtp_server, monkeypatch, subscriber):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    feedback = start_feedback(FEEDBACK_FOLLOW_UP_WEEKS=0, FEEDBACK_CHANNELS="notice")  # learners: no email
    register(as_, archive, ["ada"])
    complete(feedback, "session-1", {"ada": "present", "grace": "present"})
    follow_up = "follow-up-session-1"
    with entrypoint_hook(feedback, "survey_round") as survey_round:
        survey_round()  # the follow-up opens (FEEDBACK_FOLLOW_UP_WEEKS=0)
    with pytest.raises(Conflict):  # supervisors answer follow-ups, not the reaction survey
        as_(feedback, learner("ada")).invite("survey-session-1", {"relation": "supervisor", "name": "Bea",
                                                                  "email": "bea@example.com"})
    as_(feedback, learner("ada")).invite(follow_up, {"relation": "supervisor", "name": "Bea Boss",
                                                     "email": "bea@example.com"})
    as_(feedback, SUPERVISOR).invite(follow_up, {"relation": "peer", "name": "Pat", "email": "pat@example.com",
                                                 "learner_id": "grace"})
    assert as_(feedback, learner("ada")).list_invitations(follow_up, {})["total"] == 1

    events = subscriber(feedback.config["AMQP_URI"], "feedback")
    with entrypoint_hook(feedback, "survey_round") as survey_round:
        survey_round()  # emails both links
    mails = {mail["X-RcptTo"]: mail for mail in smtp_server.messages()}
    assert sorted(mails) == ["bea@example.com", "pat@example.com"]
    assert "Ada Tester" in mails["bea@example.com"]["Subject"]
    token = re.search(r"/surveys/invitations/(\S+)", mails["bea@example.com"].get_payload(decode=True).decode()).group(1)
    assert token not in str(list(db(feedback)[INVITATIONS].find()))  # only its hash is stored

    with rpc_to(feedback) as anyone:  # no signed-in caller: the link's token is the credential
        form = anyone.invitation_form(token)
        assert (form["relation"], form["about"]) == ("supervisor", "Ada Tester")
        with pytest.raises(NotFound):
            anyone.invitation_form("not-a-token")
    behaviour = {"answers": {"applies_skills": 5, "works_independently": 4, "shares_knowledge": 3,
                             "examples": "Builds the weekly report alone"}}
    proxies = [rpc_to(feedback) for _ in range(4)]
    services = [proxy.start() for proxy in proxies]
    try:
        outcomes = run_together(4, lambda index: services[index].answer_invitation(token, behaviour))
    finally:
        for proxy in proxies:
            proxy.stop()
    assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 3
    response = db(feedback)[RESPONSES].find_one({"survey_id": follow_up})
    assert (response["respondent"], response["learner_id"], response["channel"]) == ("supervisor", "ada", "invitation")
    assert events.wait_for("FeedbackSubmitted.v2")["data"]["respondent"] == "supervisor"

    # Pat's answer: the process died after the link was used up and before the answer was stored.
    # Once that attempt is stale, the link works again and the next answer counts, once.
    peer_token = re.search(r"/surveys/invitations/(\S+)",
                           mails["pat@example.com"].get_payload(decode=True).decode()).group(1)
    earlier = utc_now() - responses.CLAIM_STALE_AFTER - timedelta(seconds=1)
    with pytest.raises(Killed):
        invitations.answer(DiesWritingResponses(db(feedback)), peer_token, behaviour, make_envelope, earlier)
    with rpc_to(feedback) as anyone:
        assert anyone.invitation_form(peer_token)["relation"] == "peer"
        anyone.answer_invitation(peer_token, behaviour)
        with pytest.raises(Conflict):
            anyone.answer_invitation(peer_token, behaviour)
    assert db(feedback)[RESPONSES].count_documents({"survey_id": follow_up, "respondent": "peer"}) == 1
    peer = db(feedback)[INVITATIONS].find_one({"relation": "peer"})
    assert peer["status"] == "answered" and "pending" not in peer  # nothing points at the answer


def test_an_erased_learner_leaves_no_trace_but_the_statistics_stay(
        start_feedback, as_, db, complete):
    feedback = start_feedback(FEEDBACK_FOLLOW_UP_WEEKS=0)
    survey_id = complete(feedback, "session-1", {name: "present" for name in LEARNERS})
    everyone_answers(feedback, as_, survey_id, (5, 4, 3), ("I am Ada from Acme, call me", "ok", "fine"))
    deliver(feedback, "on_exam_graded", "assessment", graded("sub-1", "ada", 40, pre_test=True),
            graded("sub-2", "ada", 80))
    with entrypoint_hook(feedback, "survey_round") as survey_round:
        survey_round()
    as_(feedback, learner("ada")).invite("follow-up-session-1", {"relation": "peer", "name": "Pat",
                                                                 "email": "pat@example.com"})
    report_before = as_(feedback, SUPERVISOR).survey_report(survey_id)

    erased = make_envelope("LearnerErased.v1", "ada", {"learner_id": "ada", "erased_at": utc_now()})
    deliver(feedback, "on_learner_erased", "archive", erased, erased)

    store = db(feedback)
    everything = str([list(store[name].find()) for name in store.list_collection_names()])
    assert "'ada'" not in everything and "ada@" not in everything and "Ada from Acme" not in everything
    assert "pat@example.com" not in everything
    assert as_(feedback, SUPERVISOR).survey_report(survey_id)["sections"] == report_before["sections"]
    evaluation = as_(feedback, MANAGER).create_evaluation({"scope": "session", "session_id": "session-1"})
    assert evaluation["learning"]["pairs"] == 1 and evaluation["learning"]["mean_gain"] == 40.0
    assert store[EXAM_RESULTS].count_documents({"learner_id": {"$regex": "^erased-"}}) == 2
