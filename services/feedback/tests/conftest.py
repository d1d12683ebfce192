"""Fixtures of feedback's interface tests: the service in-process on the real broker and store,
callers, and completed sessions as delivery reports them."""
from datetime import timedelta

import pytest

from shared.events import make_envelope, utc_now
from shared.testing import deliver

from services.feedback.service import FeedbackService
from services.feedback.store import RESPONSES

SUPERVISOR = {"id": "sue", "roles": ["supervisor"]}
MANAGER = {"id": "mia", "roles": ["manager"]}
TRAINER = {"id": "tom", "roles": ["trainer"]}
OTHER_TRAINER = {"id": "tina", "roles": ["trainer"]}


class Killed(BaseException):
    """The process dies here: nothing after this line runs, no handler cleans up."""


def crash(*args, **kwargs):
    raise Killed()


class DiesWritingResponses:
    """The feedback store as a process sees it that is killed while writing a response."""

    def __init__(self, db):
        self.db = db

    def __getitem__(self, name):
        return type("Dying", (), {"insert_one": staticmethod(crash)})() if name == RESPONSES else self.db[name]


def learner(name):
    return {"id": name, "roles": ["learner"]}


def completed_session(session_id, attendance, item_id="item-reports", trainer_ids=("tom",), days_ago=1,
                      topics=("reporting",)):
    start = utc_now() - timedelta(days=days_ago)
    return {"session_id": session_id, "plan_id": "plan-2027", "item_id": item_id,
            "title": f"Reports workshop ({session_id})", "format": "classroom", "topics": list(topics),
            "starts_at": start, "ends_at": start + timedelta(hours=3), "trainer_ids": list(trainer_ids),
            "attendance": [{"learner_id": name, "status": status} for name, status in attendance.items()],
            "completed_at": start + timedelta(hours=3)}


@pytest.fixture
def start_feedback(running_service):
    def start(**settings):
        return running_service(FeedbackService, **{"FEEDBACK_MIN_GROUP_SIZE": 3, **settings})

    return start


@pytest.fixture
def feedback(start_feedback):
    return start_feedback()


@pytest.fixture
def as_(rpc_as):
    return lambda container, caller: rpc_as(container, caller)


@pytest.fixture
def db(store):
    return lambda container: store(container.config, "feedback")


@pytest.fixture
def complete():
    """Deliver SessionCompleted.v1 for a session to a feedback container; returns its survey id."""

    def deliver_completed(container, session_id, attendance, **facts):
        session = completed_session(session_id, attendance, **facts)
        deliver(container, "on_session_completed", "delivery",
                make_envelope("SessionCompleted.v1", session_id, session))
        return f"survey-{session_id}"

    return deliver_completed
