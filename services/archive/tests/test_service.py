"""Interface tests of the archive through its real entrypoints, real broker and real store."""
from datetime import datetime, timezone

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver

from services.archive.service import ArchiveService

SPECIALIST = {"id": "sam", "roles": ["specialist"]}
ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
       "organisation": "Engines Ltd", "subject": "ada"}
APPROVED = {"plan_id": "plan-1", "year": 2027, "title": "Plan", "revision": 1, "approved_by": "mia",
            "approved_at": datetime(2027, 1, 10, tzinfo=timezone.utc), "items": []}


@pytest.fixture
def archive(running_service):
    return running_service(ArchiveService)


@pytest.fixture
def as_(archive, rpc_as):
    return lambda caller: rpc_as(archive, caller)


def test_registering_a_learner_announces_it_without_personal_data(as_, archive, subscriber):
    events = subscriber(archive.config["AMQP_URI"], "archive")
    learner = as_(SPECIALIST).register_learner(ADA)

    envelope = events.wait_for("LearnerRegistered.v1")
    assert envelope["subject"] == learner["id"]
    assert set(envelope["data"]) == {"learner_id", "organisation", "registered_at"}
    assert "ada@example.com" not in str(envelope)


def test_a_second_learner_with_the_same_email_is_refused(as_, archive):
    as_(SPECIALIST).register_learner(ADA)
    with pytest.raises(Conflict):
        as_(SPECIALIST).register_learner(dict(ADA, first_name="Augusta"))
    assert as_(SPECIALIST).list_learners({})["total"] == 1


def test_invalid_learner_is_refused_and_nothing_is_written(as_, archive):
    with pytest.raises(InvalidInput) as refused:
        as_(SPECIALIST).register_learner(dict(ADA, email="not-an-email", nickname="x"))
    assert set(refused.value.details["fields"]) == {"email", "nickname"}
    assert as_(SPECIALIST).list_learners({})["total"] == 0


def test_learners_read_only_their_own_archive(as_, archive):
    ada = as_(SPECIALIST).register_learner(ADA)

    assert as_({"id": "ada", "roles": ["learner"]}).get_learner(ada["id"])["email"] == ADA["email"]
    assert as_({"id": "kim", "roles": ["auditor"]}).get_learner(ada["id"])["email"] == ADA["email"]
    with pytest.raises(Forbidden):
        as_({"id": "grace", "roles": ["learner"]}).get_learner(ada["id"])
    with pytest.raises(NotFound):
        as_(SPECIALIST).get_learner("learner-missing")


def test_each_approved_plan_is_logged_once(as_, archive):
    envelope = make_envelope("PlanApproved.v1", "plan-1", APPROVED)

    deliver(archive, "on_plan_approved", "planning", envelope, envelope)

    log = as_(SPECIALIST).list_plan_log({})
    assert log["total"] == 1
    assert log["items"][0]["event_id"] == envelope["id"]
    assert log["items"][0]["approved_by"] == "mia"


def test_only_services_resolve_contact_details(as_, archive):
    from nameko.standalone.rpc import ServiceRpcProxy
    from shared.errors import Forbidden
    from shared.testing import as_service

    as_(SPECIALIST).register_learner(ADA)
    with ServiceRpcProxy("archive", archive.config, context_data=as_service("delivery"), timeout=10) as delivery:
        contacts = delivery.contact_details({"learner_ids": ["ada", "nobody"]})
    assert contacts == {"items": [{"learner_id": "ada", "name": "Ada Lovelace", "email": "ada@example.com",
                                   "phone": None, "language": None}]}
    with pytest.raises(Forbidden):
        as_({"id": "sue", "roles": ["supervisor"]}).contact_details({"learner_ids": ["ada"]})
