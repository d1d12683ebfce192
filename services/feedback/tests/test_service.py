"""Interface tests of feedback through its real entrypoints, real broker and real store."""
import json
from datetime import datetime, timezone

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver

from services.feedback.service import FeedbackService
from services.feedback.store import RESPONSES

SESSION_ID = "session-3f1c"
SESSION = {"session_id": SESSION_ID, "title": "Platform basics, cohort 1", "format": "online",
           "starts_at": datetime(2026, 3, 2, 8, tzinfo=timezone.utc),
           "ends_at": datetime(2026, 3, 2, 11, tzinfo=timezone.utc), "capacity": 30}
GOOD = {"ratings": {"content": 5, "format": 4, "trainer": 5, "effect": 3},
        "comments": "The live demo helped most.", "suggestions": "  "}


def learner(name):
    return {"id": name, "roles": ["learner"]}


@pytest.fixture
def container(running_service):
    return running_service(FeedbackService)


@pytest.fixture
def feedback(container):
    return container.config


@pytest.fixture
def responses(feedback, store):
    return store(feedback, "feedback")[RESPONSES]


def rpc(config):
    return ServiceRpcProxy("feedback", config, timeout=10)


@pytest.fixture
def scheduled(container):
    """The session's questionnaire, opened by delivery's event."""
    deliver(container, "on_session_scheduled", "delivery",
            make_envelope("SessionScheduled.v1", SESSION_ID, SESSION))
    return SESSION_ID


def test_session_scheduled_opens_one_questionnaire_even_if_delivered_twice(feedback, container):
    envelope = make_envelope("SessionScheduled.v1", SESSION_ID, SESSION)
    deliver(container, "on_session_scheduled", "delivery", envelope)
    with rpc(feedback) as proxy:
        opened = proxy.get_questionnaire(SESSION_ID)

        # The broker redelivers the same envelope; a replay sends the same fact under a new id.
        deliver(container, "on_session_scheduled", "delivery",
                envelope, make_envelope("SessionScheduled.v1", SESSION_ID, SESSION))

        questionnaires = proxy.list_questionnaires({})
    assert questionnaires["total"] == 1
    assert questionnaires["items"] == [opened]
    assert opened["session_id"] == SESSION_ID
    assert opened["starts_at"] == "2026-03-02T08:00:00+00:00"
    assert [question["key"] for question in opened["questions"]] == [
        "content", "format", "trainer", "effect", "comments", "suggestions"]


def test_submitted_feedback_is_published_with_ratings_but_no_open_text(feedback, scheduled, subscriber, responses):
    events = subscriber(feedback["AMQP_URI"], "feedback")
    with rpc(feedback) as proxy:
        response = proxy.submit_feedback(scheduled, GOOD, learner("ada"))

    envelope = events.wait_for("FeedbackSubmitted.v1")
    assert events.last_routing_key == "FeedbackSubmitted.v1"
    assert envelope["subject"] == response["id"]
    assert envelope["data"] == {"response_id": response["id"], "session_id": SESSION_ID, "learner_id": "ada",
                                "ratings": GOOD["ratings"], "has_comment": True,
                                "submitted_at": response["submitted_at"]}
    assert "live demo" not in json.dumps(envelope)
    assert response["comments"] == "The live demo helped most."
    assert response["suggestions"] is None  # blank answers are kept as no answer
    assert responses.find_one({"_id": response["id"]})["outbox"] == []  # published and marked sent


def test_a_second_response_from_the_same_learner_is_a_conflict_and_changes_nothing(feedback, scheduled, responses):
    second = {"ratings": {"content": 1, "format": 1, "trainer": 1, "effect": 1}, "comments": "Changed my mind"}
    with rpc(feedback) as proxy:
        first = proxy.submit_feedback(scheduled, GOOD, learner("ada"))
        with pytest.raises(Conflict) as refused:
            proxy.submit_feedback(scheduled, second, learner("ada"))
        listed = proxy.list_responses(scheduled, {})

    assert refused.value.details == {"session_id": SESSION_ID, "learner_id": "ada"}
    assert listed["total"] == 1
    assert listed["items"] == [first]
    assert responses.count_documents({}) == 1


def test_an_out_of_range_rating_is_invalid_input_and_writes_nothing(feedback, scheduled, responses):
    with rpc(feedback) as proxy:
        for score in (0, 6):
            with pytest.raises(InvalidInput) as refused:
                proxy.submit_feedback(scheduled, {"ratings": dict(GOOD["ratings"], trainer=score)}, learner("ada"))
            assert list(refused.value.details["fields"]["ratings"]) == ["trainer"]
        with pytest.raises(InvalidInput) as incomplete:
            proxy.submit_feedback(scheduled, {"ratings": {"content": 4}}, learner("ada"))
        assert set(incomplete.value.details["fields"]["ratings"]) == {"format", "trainer", "effect"}

    assert responses.count_documents({}) == 0


def test_only_learners_answer_and_only_open_questionnaires(feedback, scheduled, responses):
    with rpc(feedback) as proxy:
        with pytest.raises(Forbidden):
            proxy.submit_feedback(scheduled, GOOD, {"id": "tom", "roles": ["trainer"]})
        with pytest.raises(NotFound):
            proxy.submit_feedback("session-never-scheduled", GOOD, learner("ada"))
        with pytest.raises(NotFound):
            proxy.get_summary("session-never-scheduled")

    assert responses.count_documents({}) == 0


def test_summary_counts_averages_and_distribution_of_each_rating(feedback, scheduled):
    answers = {"ada": (5, 4, 5, 3), "grace": (4, 4, 5, 2), "alan": (4, 2, 3, 2)}
    with rpc(feedback) as proxy:
        assert proxy.get_summary(scheduled)["count"] == 0
        for name, (content, format, trainer, effect) in answers.items():
            proxy.submit_feedback(scheduled, {"ratings": {"content": content, "format": format, "trainer": trainer,
                                                          "effect": effect}}, learner(name))
        summary = proxy.get_summary(scheduled)

    assert summary["questionnaire_id"] == SESSION_ID
    assert summary["count"] == 3
    assert {dimension: values["average"] for dimension, values in summary["ratings"].items()} == {
        "content": 4.33, "format": 3.33, "trainer": 4.33, "effect": 2.33}
    assert summary["ratings"]["format"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 0}
    assert summary["ratings"]["effect"]["distribution"] == {"1": 0, "2": 2, "3": 1, "4": 0, "5": 0}
