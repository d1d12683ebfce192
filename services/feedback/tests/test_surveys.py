"""Interface tests of surveys and responses through feedback's real entrypoints, broker and store:
opening from SessionCompleted.v1, who may answer, once, anonymity and the minimum group size."""
import json
from datetime import timedelta

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope, utc_now
from shared.testing import deliver, rpc_to, run_together

from services.feedback import responses
from services.feedback.service import FeedbackService
from services.feedback.store import RESPONDENTS, RESPONSES, SURVEYS
from services.feedback.tests.conftest import (SUPERVISOR, TRAINER, OTHER_TRAINER, DiesWritingResponses, Killed,
                                             completed_session, crash, learner)

ATTENDANCE = {"ada": "present", "grace": "late", "alan": "absent", "kurt": "excused"}


def answers(score=4, recommend=9, **extra):
    return {"answers": {"content_clear": score, "content_relevant": score, "format_suitable": score,
                        "format_organised": score, "trainer_explains": score, "trainer_answers": score,
                        "effect_apply": score, "recommend": recommend, **extra}}


def test_a_completed_session_opens_one_survey_for_those_who_attended(feedback, as_, db, complete):
    session = completed_session("session-1", ATTENDANCE)
    envelope = make_envelope("SessionCompleted.v1", "session-1", session)
    # Delivered, redelivered, and replayed under a new envelope id: still one survey.
    deliver(feedback, "on_session_completed", "delivery", envelope, envelope,
            make_envelope("SessionCompleted.v1", "session-1", session))

    listed = as_(feedback, SUPERVISOR).list_surveys({"session_id": "session-1"})
    assert sorted((survey["kind"], survey["status"]) for survey in listed["items"]) == [
        ("follow_up", "scheduled"), ("reaction", "open")]
    survey = as_(feedback, SUPERVISOR).get_survey("survey-session-1")
    assert (survey["invited"], survey["course"], survey["trainer_ids"]) == (2, "item-reports", ["tom"])
    assert survey["questionnaire"]["id"] == "standard-reaction"
    assert db(feedback)[SURVEYS].find_one({"_id": "survey-session-1"})["attendees"] == ["ada", "grace"]

    assert as_(feedback, learner("ada")).get_survey("survey-session-1")["answered"] is False
    assert [item["id"] for item in as_(feedback, learner("grace")).list_surveys({})["items"]] == ["survey-session-1"]
    with pytest.raises(NotFound):
        as_(feedback, learner("alan")).get_survey("survey-session-1")  # absent: not invited
    assert as_(feedback, learner("alan")).list_surveys({})["total"] == 0


def test_an_attendee_answers_once_and_both_feedback_events_are_published(feedback, as_, db, complete, subscriber):
    survey_id = complete(feedback, "session-1", ATTENDANCE)
    events = subscriber(feedback.config["AMQP_URI"], "feedback")

    response = as_(feedback, learner("ada")).submit_response(survey_id, answers(
        score=4, recommend=10, content_clear=5, format_pace="too fast", liked="The live demo"))

    v2 = events.wait_for("FeedbackSubmitted.v2")
    v1 = events.wait_for("FeedbackSubmitted.v1")
    assert v2["data"]["learner_id"] == "ada" and v2["data"]["anonymous"] is False
    assert v2["data"]["trainer_ids"] == ["tom"] and v2["data"]["nps"] == 10
    assert v2["data"]["section_scores"] == {"content": 4.5, "format": 4.0, "trainer": 4.0, "effect": 4.0,
                                            "recommendation": 5.0}
    assert v1["data"]["ratings"] == {"content": 5, "format": 4, "trainer": 4, "effect": 4}  # 4.5 rounds up
    assert v1["data"]["has_comment"] is True and "live demo" not in json.dumps([v1, v2])
    assert response["answers"]["liked"] == "The live demo"
    assert as_(feedback, learner("ada")).get_survey(survey_id)["answered"] is True

    with pytest.raises(Conflict):
        as_(feedback, learner("ada")).submit_response(survey_id, answers(score=1))
    with pytest.raises(NotFound):  # absent: the survey was not put to him
        as_(feedback, learner("alan")).submit_response(survey_id, answers())
    assert db(feedback)[RESPONSES].count_documents({}) == 1


def test_the_same_learner_answering_twice_at_the_same_moment_gives_one_response(feedback, db, complete):
    survey_id = complete(feedback, "session-1", ATTENDANCE)
    proxies = [rpc_to(feedback, learner("ada")) for _ in range(6)]
    services = [proxy.start() for proxy in proxies]
    try:
        outcomes = run_together(6, lambda index: services[index].submit_response(survey_id, answers(score=index % 5 + 1)))
    finally:
        for proxy in proxies:
            proxy.stop()

    assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1
    assert all(isinstance(outcome, Conflict) for outcome in outcomes if not isinstance(outcome, dict))
    assert db(feedback)[RESPONSES].count_documents({"survey_id": survey_id}) == 1
    assert db(feedback)[RESPONDENTS].count_documents({"survey_id": survey_id}) == 1


def test_an_answer_cut_short_by_a_crash_is_neither_lost_nor_counted_twice(feedback, as_, db, complete, monkeypatch):
    survey_id = complete(feedback, "session-1", {"ada": "present", "grace": "present", "kurt": "present"})
    store = db(feedback)
    survey = store[SURVEYS].find_one({"_id": survey_id})
    earlier = utc_now() - responses.CLAIM_STALE_AFTER - timedelta(seconds=1)

    def answer_then_die(learner_id, when, target):
        with pytest.raises(Killed):
            responses.insert_response(target, survey, answers()["answers"], respondent="learner", learner_id=learner_id,
                                      channel="online", new_event=make_envelope, now=when,
                                      claim=responses.LearnerClaim.of(target, survey_id, learner_id, when))

    # Killed after claiming, before the response was stored: the answer was never recorded.
    answer_then_die("ada", earlier, DiesWritingResponses(store))
    # Killed after the response was stored, before the claim was settled: it counts.
    with monkeypatch.context() as patched:
        patched.setattr(responses.Claim, "settle", crash)
        answer_then_die("grace", earlier, store)
    # Killed a moment ago: that attempt may still be finishing.
    answer_then_die("kurt", utc_now(), DiesWritingResponses(store))

    assert as_(feedback, learner("ada")).submit_response(survey_id, answers())["survey_id"] == survey_id
    with pytest.raises(Conflict):
        as_(feedback, learner("grace")).submit_response(survey_id, answers())
    with pytest.raises(Conflict):
        as_(feedback, learner("kurt")).submit_response(survey_id, answers())

    assert store[RESPONSES].count_documents({"survey_id": survey_id}) == 2  # ada's and grace's, once each
    assert [set(entry) for entry in store[RESPONDENTS].find({"learner_id": {"$in": ["ada", "grace"]}})] == [
        {"_id", "survey_id", "learner_id"}] * 2  # settled: nothing points at a response any more
    # Kurt's claim is released by the survey round once it is stale, and he can answer.
    responses.resolve_stale_claims(store, utc_now() + responses.CLAIM_STALE_AFTER * 2)
    assert store[RESPONDENTS].count_documents({"learner_id": "kurt"}) == 0
    as_(feedback, learner("kurt")).submit_response(survey_id, answers())
    assert store[RESPONSES].count_documents({"survey_id": survey_id}) == 3


def test_bad_answers_are_refused_with_field_messages_and_write_nothing(feedback, as_, db, complete):
    survey_id = complete(feedback, "session-1", ATTENDANCE)
    with pytest.raises(InvalidInput) as refused:
        as_(feedback, learner("ada")).submit_response(survey_id, answers(
            content_clear=6, recommend=11, format_pace="way too fast", effect_useful_parts=["cake"], unknown=1))
    assert set(refused.value.details["fields"]["answers"]) == {
        "content_clear", "recommend", "format_pace", "effect_useful_parts", "unknown"}
    with pytest.raises(InvalidInput) as incomplete:
        as_(feedback, learner("ada")).submit_response(survey_id, {"answers": {"content_clear": 4}})
    assert "trainer_explains" in incomplete.value.details["fields"]["answers"]
    with pytest.raises(InvalidInput):
        as_(feedback, learner("ada")).submit_response(survey_id, {"answers": "all good"})

    assert db(feedback)[RESPONSES].count_documents({}) == 0
    assert db(feedback)[RESPONDENTS].count_documents({}) == 0
    assert as_(feedback, learner("ada")).get_survey(survey_id)["answered"] is False


def test_a_closed_survey_takes_no_answers_and_only_its_organisers_close_it(feedback, as_, complete):
    survey_id = complete(feedback, "session-1", ATTENDANCE)
    with pytest.raises(Forbidden):
        as_(feedback, OTHER_TRAINER).close_survey(survey_id)
    assert as_(feedback, TRAINER).close_survey(survey_id)["status"] == "closed"
    with pytest.raises(Conflict) as refused:
        as_(feedback, learner("ada")).submit_response(survey_id, answers())
    assert refused.value.details["status"] == "closed"
    with pytest.raises(Conflict):
        as_(feedback, SUPERVISOR).close_survey(survey_id)


def test_staff_record_face_to_face_feedback_and_online_ratings(feedback, as_, complete):
    survey_id = complete(feedback, "session-1", ATTENDANCE)
    spoken = as_(feedback, TRAINER).record_response(survey_id, {
        "channel": "face_to_face", "learner_id": "grace",
        "answers": {"trainer_explains": 5, "improve": "More breaks"}})
    rating = as_(feedback, SUPERVISOR).record_response(survey_id, {
        "channel": "online_rating", "source": "community forum", "answers": {"recommend": 6}})

    assert (spoken["respondent"], spoken["learner_id"], spoken["recorded_by"]) == ("learner", "grace", "tom")
    assert (rating["respondent"], rating["learner_id"], rating["nps"]) == ("staff", None, 6)
    with pytest.raises(Conflict):  # grace's feedback is recorded: she does not answer again
        as_(feedback, learner("grace")).submit_response(survey_id, answers())
    with pytest.raises(Forbidden):
        as_(feedback, OTHER_TRAINER).record_response(survey_id, {"channel": "face_to_face",
                                                                  "answers": {"recommend": 6}})
    with pytest.raises(InvalidInput):
        as_(feedback, TRAINER).record_response(survey_id, {"channel": "face_to_face", "learner_id": "alan",
                                                            "answers": {"recommend": 6}})
    listed = as_(feedback, TRAINER).list_responses(survey_id, {"respondent": "staff"})
    assert [item["id"] for item in listed["items"]] == [rating["id"]]


def test_anonymous_survey_keeps_no_learner_id_anywhere_and_withholds_small_groups(
        start_feedback, as_, db, complete, subscriber):
    feedback = start_feedback(FEEDBACK_ANONYMOUS="true")
    # Names that no random id (hex) can contain by chance.
    names = ["ada.lovelace", "grace.hopper", "alan.turing"]
    survey_id = complete(feedback, "session-1", {name: "present" for name in names})
    events = subscriber(feedback.config["AMQP_URI"], "feedback")

    as_(feedback, learner("ada.lovelace")).submit_response(survey_id, answers(score=5, improve="Slower pace please"))
    as_(feedback, learner("grace.hopper")).submit_response(survey_id, answers(score=3, liked="讲师讲得很清楚"))

    # Two answers, minimum three: counts only.
    report = as_(feedback, SUPERVISOR).survey_report(survey_id)
    assert (report["responses"], report["withheld"], report["sections"], report["questions"]) == (2, True, [], [])
    assert as_(feedback, SUPERVISOR).survey_text_analysis(survey_id)["withheld"] is True
    assert as_(feedback, SUPERVISOR).trends({"course": "item-reports"})["sessions"][0]["withheld"] is True
    with pytest.raises(Conflict) as refused:
        as_(feedback, SUPERVISOR).list_responses(survey_id, {})
    assert refused.value.details == {"responses": 2, "min_group_size": 3}

    as_(feedback, learner("alan.turing")).submit_response(survey_id, answers(score=4))
    published = [events.wait_for("FeedbackSubmitted.v2") for _ in names]
    late = events.collect(1.0, where=lambda envelope: envelope["type"] == "FeedbackSubmitted.v1")

    report = as_(feedback, SUPERVISOR).survey_report(survey_id)
    assert report["withheld"] is False and report["sections"][0]["mean"] == 4.0
    seen = {
        "events": published + late,
        "responses": as_(feedback, SUPERVISOR).list_responses(survey_id, {}),
        "learner's view": as_(feedback, learner("ada.lovelace")).list_responses(survey_id, {}),
        "report": report,
        "survey": as_(feedback, SUPERVISOR).list_surveys({}),
        "text": as_(feedback, SUPERVISOR).survey_text_analysis(survey_id),
        "trend": as_(feedback, TRAINER).trends({"trainer_id": "tom"}),
        "stored answers": list(db(feedback)[RESPONSES].find({}, {"_id": 0})),
    }
    assert late == []  # FeedbackSubmitted.v1 names its learner: never for an anonymous answer
    assert all(envelope["data"]["learner_id"] is None for envelope in published)
    assert seen["responses"]["total"] == 3 and seen["learner's view"]["total"] == 0
    for where, content in seen.items():
        text = json.dumps(content, default=str)
        assert not any(name in text for name in names), where
    # Who answered is kept apart, with no time and nothing pointing at a response.
    respondent = db(feedback)[RESPONDENTS].find_one({"learner_id": "ada.lovelace"})
    assert set(respondent) == {"_id", "survey_id", "learner_id"}
    assert {response["submitted_at"].time().isoformat() for response in seen["stored answers"]} == {"00:00:00"}


def test_trainers_see_their_own_sessions_only(feedback, as_, complete):
    survey_id = complete(feedback, "session-1", ATTENDANCE)
    assert as_(feedback, TRAINER).survey_report(survey_id)["survey_id"] == survey_id
    with pytest.raises(Forbidden):
        as_(feedback, OTHER_TRAINER).survey_report(survey_id)
    with pytest.raises(Forbidden):
        as_(feedback, OTHER_TRAINER).trends({"trainer_id": "tom"})
    assert as_(feedback, OTHER_TRAINER).list_surveys({})["total"] == 0
    with pytest.raises(Forbidden):
        as_(feedback, learner("ada")).survey_report(survey_id)


def test_a_store_from_the_first_release_takes_anonymous_answers(running_service, service_config, mongo_client,
                                                                 as_, complete):
    config = service_config("feedback")
    old = mongo_client.get_database(config["MONGO_URI"].rsplit("/", 1)[1])[RESPONSES]
    old.create_index([("session_id", 1), ("learner_id", 1)], unique=True)  # as the first release left it
    feedback = running_service(FeedbackService, MONGO_URI=config["MONGO_URI"], FEEDBACK_ANONYMOUS="true")
    survey_id = complete(feedback, "session-1", ATTENDANCE)

    for name in ("ada", "grace"):
        as_(feedback, learner(name)).submit_response(survey_id, answers())
    assert old.count_documents({"survey_id": survey_id, "learner_id": None}) == 2
