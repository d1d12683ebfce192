"""Fixtures of resources' interface tests: the service in-process, callers, and a small pool of
trainers, rooms and equipment to book."""
from datetime import datetime, timedelta, timezone

import pytest

from shared.events import make_envelope

from services.resources.service import ResourcesService

SUPERVISOR = {"id": "sue", "roles": ["supervisor"]}
SPECIALIST = {"id": "sam", "roles": ["specialist"]}
MANAGER = {"id": "mia", "roles": ["manager"]}
# A Monday, far enough ahead that every booking in the tests is upcoming.
MONDAY = datetime(2030, 3, 4, tzinfo=timezone.utc)


def at(hour, day=0):
    return MONDAY + timedelta(days=day, hours=hour)


def trainer(trainer_id, name, **profile):
    return dict({"trainer_id": trainer_id, "name": name, "email": f"{trainer_id}@example.com",
                 "topics": ["reporting"], "products": ["Analytics"], "tiers": ["basic_operation"], "languages": ["en"],
                 "working_hours": {"timezone": "UTC", "weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}},
                **profile)


def session(session_id, start=9, end=12, day=0, **fields):
    return dict({"session_id": session_id, "title": f"Reporting basics ({session_id})", "format": "classroom",
                 "starts_at": at(start, day), "ends_at": at(end, day), "capacity": 12, "tier": "basic_operation",
                 "topics": ["Reporting"], "trainer_ids": [], "room_id": None, "equipment_ids": []}, **fields)


def scheduled(session_id, **fields):
    return make_envelope("SessionScheduled.v1", session_id, session(session_id, **fields))


@pytest.fixture
def container(running_service):
    return running_service(ResourcesService)


@pytest.fixture
def resources(container):
    return container.config


@pytest.fixture
def as_(container, rpc_as):
    """as_(caller): resources' RPC, called by `caller`."""
    return lambda caller: rpc_as(container, caller)


@pytest.fixture
def pool(as_):
    """Trainers ada and dan (both fit the test sessions), a room for 20 and one for 8, two projectors."""
    staff = as_(SUPERVISOR)
    for trainer_id, name in (("ada", "Ada Byron"), ("dan", "Dan Bricklin")):
        staff.register_trainer(trainer(trainer_id, name))
    big = staff.create_room({"name": "Turing", "site": "HQ", "capacity": 20, "fittings": ["projector", "whiteboard"]})
    small = staff.create_room({"name": "Lovelace", "site": "HQ", "capacity": 8})
    projectors = [staff.register_equipment({"asset_tag": f"PRJ-{number}", "type": "projector", "model": "Epson X41",
                                            "purchase_date": "2024-05-01", "location": "HQ store room"})
                  for number in (1, 2)]
    return {"room": big["id"], "small_room": small["id"], "projectors": [item["id"] for item in projectors]}
