"""Interface tests of feedback through its real entrypoints, real broker and real store."""
import json
from datetime import datetime, timezone

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver

from services.feedback.service import FeedbackService
from services.feedback.store import RESPONSES

STAFF = {"id": "sue", "roles": ["supervisor"]}
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


@pytest.fixture
def as_(container, rpc_as):
    return lambda caller: rpc_as(container, caller)


@pytest.fixture
def scheduled(container):
    """The session's questionnaire, opened by delivery's event."""
    deliver(container, "on_session_scheduled", "delivery",
            make_envelope("SessionScheduled.v1", SESSION_ID, SESSION))
    return SESSION_ID


def test_session_scheduled_opens_one_questionnaire_even_if_delivered_twice(as_, feedback, container):
    envelope = make_envelope("SessionScheduled.v1", SESSION_ID, SESSION)
    deliver(container, "on_session_scheduled", "delivery", envelope)
    opened = as_(STAFF).get_questionnaire(SESSION_ID)

    # The broker redelivers the same envelope; a replay sends the same fact under a new id.
    deliver(container, "on_session_scheduled", "delivery",
            envelope, make_envelope("SessionScheduled.v1", SESSION_ID, SESSION))

    questionnaires = as_(STAFF).list_questionnaires({})
    assert questionnaires["total"] == 1
    assert questionnaires["items"] == [opened]
    assert opened["session_id"] == SESSION_ID
    assert opened["starts_at"] == "2026-03-02T08:00:00+00:00"
    assert [question["key"] for question in opened["questions"]] == [
        "content", "format", "trainer", "effect", "comments", "suggestions"]


def test_submitted_feedback_is_published_with_ratings_but_no_open_text(as_, feedback, scheduled, subscriber, responses):
    events = subscriber(feedback["AMQP_URI"], "feedback")
    response = as_(learner("ada")).submit_feedback(scheduled, GOOD)

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


def test_a_second_response_from_the_same_learner_is_a_conflict_and_changes_nothing(as_, feedback, scheduled, responses):
    second = {"ratings": {"content": 1, "format": 1, "trainer": 1, "effect": 1}, "comments": "Changed my mind"}
    first = as_(learner("ada")).submit_feedback(scheduled, GOOD)
    with pytest.raises(Conflict) as refused:
        as_(learner("ada")).submit_feedback(scheduled, second)
    listed = as_(STAFF).list_responses(scheduled, {})

    assert refused.value.details == {"session_id": SESSION_ID, "learner_id": "ada"}
    assert listed["total"] == 1
    assert listed["items"] == [first]
    assert responses.count_documents({}) == 1


def test_an_out_of_range_rating_is_invalid_input_and_writes_nothing(as_, feedback, scheduled, responses):
    for score in (0, 6):
        with pytest.raises(InvalidInput) as refused:
            as_(learner("ada")).submit_feedback(scheduled, {"ratings": dict(GOOD["ratings"], trainer=score)})
        assert list(refused.value.details["fields"]["ratings"]) == ["trainer"]
    with pytest.raises(InvalidInput) as incomplete:
        as_(learner("ada")).submit_feedback(scheduled, {"ratings": {"content": 4}})
    assert set(incomplete.value.details["fields"]["ratings"]) == {"format", "trainer", "effect"}

    assert responses.count_documents({}) == 0


def test_only_learners_answer_and_only_open_questionnaires(as_, feedback, scheduled, responses):
    with pytest.raises(Forbidden):
        as_({"id": "tom", "roles": ["trainer"]}).submit_feedback(scheduled, GOOD)
    with pytest.raises(NotFound):
        as_(learner("ada")).submit_feedback("session-never-scheduled", GOOD)
    with pytest.raises(NotFound):
        as_(STAFF).get_summary("session-never-scheduled")

    assert responses.count_documents({}) == 0


def test_summary_counts_averages_and_distribution_of_each_rating(as_, feedback, scheduled):
    answers = {"ada": (5, 4, 5, 3), "grace": (4, 4, 5, 2), "alan": (4, 2, 3, 2)}
    assert as_(STAFF).get_summary(scheduled)["count"] == 0
    for name, (content, format, trainer, effect) in answers.items():
        as_(learner(name)).submit_feedback(scheduled, {"ratings": {"content": content, "format": format,
                                                                   "trainer": trainer, "effect": effect}})
    summary = as_(STAFF).get_summary(scheduled)

    assert summary["questionnaire_id"] == SESSION_ID
    assert summary["count"] == 3
    assert {dimension: values["average"] for dimension, values in summary["ratings"].items()} == {
        "content": 4.33, "format": 3.33, "trainer": 4.33, "effect": 2.33}
    assert summary["ratings"]["format"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 0}
    assert summary["ratings"]["effect"]["distribution"] == {"1": 0, "2": 2, "3": 1, "4": 0, "5": 0}
