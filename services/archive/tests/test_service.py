"""Interface tests of the archive through its real entrypoints, real broker and real store."""
from datetime import datetime, timezone

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver, rpc_to

from services.archive.service import ArchiveService

SPECIALIST = {"id": "sam", "roles": ["specialist"]}
ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
       "organisation": "Engines Ltd", "subject": "ada"}
APPROVED = {"plan_id": "plan-1", "year": 2027, "title": "Plan", "revision": 1, "approved_by": "mia",
            "approved_at": datetime(2027, 1, 10, tzinfo=timezone.utc), "items": []}


@pytest.fixture
def archive(running_service):
    return running_service(ArchiveService)


def test_registering_a_learner_announces_it_without_personal_data(archive, subscriber):
    events = subscriber(archive.config["AMQP_URI"], "archive")
    with rpc_to(archive) as proxy:
        learner = proxy.register_learner(ADA, SPECIALIST)

    envelope = events.wait_for("LearnerRegistered.v1")
    assert envelope["subject"] == learner["id"]
    assert set(envelope["data"]) == {"learner_id", "organisation", "registered_at"}
    assert "ada@example.com" not in str(envelope)


def test_a_second_learner_with_the_same_email_is_refused(archive):
    with rpc_to(archive) as proxy:
        proxy.register_learner(ADA, SPECIALIST)
        with pytest.raises(Conflict):
            proxy.register_learner(dict(ADA, first_name="Augusta"), SPECIALIST)
        assert proxy.list_learners({})["total"] == 1


def test_invalid_learner_is_refused_and_nothing_is_written(archive):
    with rpc_to(archive) as proxy:
        with pytest.raises(InvalidInput) as refused:
            proxy.register_learner(dict(ADA, email="not-an-email", nickname="x"), SPECIALIST)
        assert set(refused.value.details["fields"]) == {"email", "nickname"}
        assert proxy.list_learners({})["total"] == 0


def test_learners_read_only_their_own_archive(archive):
    with rpc_to(archive) as proxy:
        ada = proxy.register_learner(ADA, SPECIALIST)

        assert proxy.get_learner(ada["id"], {"id": "ada", "roles": ["learner"]})["email"] == ADA["email"]
        assert proxy.get_learner(ada["id"], {"id": "kim", "roles": ["auditor"]})["email"] == ADA["email"]
        with pytest.raises(Forbidden):
            proxy.get_learner(ada["id"], {"id": "grace", "roles": ["learner"]})
        with pytest.raises(NotFound):
            proxy.get_learner("learner-missing", SPECIALIST)


def test_each_approved_plan_is_logged_once(archive):
    envelope = make_envelope("PlanApproved.v1", "plan-1", APPROVED)

    deliver(archive, "on_plan_approved", "planning", envelope, envelope)

    with rpc_to(archive) as proxy:
        log = proxy.list_plan_log({})
    assert log["total"] == 1
    assert log["items"][0]["event_id"] == envelope["id"]
    assert log["items"][0]["approved_by"] == "mia"
