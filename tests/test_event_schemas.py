"""Every real message of a lifecycle, collected from the broker as an outside system would, is
valid against the published contract: the CloudEvents envelope of docs/events/asyncapi.json and
its type's JSON Schema 2020-12 file under docs/events/schemas/ (a standard validator, formats
checked)."""
import json
import socket
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from jsonschema import Draft202012Validator
from kombu import Connection, Exchange, Queue, binding

from shared.testing import SERVICE_CLASSES

EVENTS = Path(__file__).resolve().parents[1] / "docs" / "events"
SESSION_DAY = date.today() + timedelta(days=40)


class Recorder:
    """One queue bound to every service's exchange with '#': all events, in arrival order."""

    def __init__(self, amqp_uri):
        self.connection = Connection(amqp_uri)
        self.queues = [Queue(f"schema-check-{uuid.uuid4().hex[:8]}", exclusive=True, bindings=[
            binding(Exchange(f"{service}.events", type="topic", durable=True), routing_key="#")
            for service in SERVICE_CLASSES])]
        self.messages = []
        self.consumer = self.connection.Consumer(self.queues, accept=["json"],
                                                 callbacks=[lambda body, message: (self.messages.append(
                                                     (message.delivery_info["routing_key"], body)), message.ack())])
        self.consumer.consume()

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.connection.drain_events(timeout=0.2)
            except socket.timeout:
                pass
        return self.messages

    def close(self):
        self.connection.release()


@pytest.fixture
def recorder(platform):
    recorder = Recorder(platform.amqp_uri)
    yield recorder
    recorder.close()


def validator(schema):
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_every_message_of_a_lifecycle_matches_its_published_schema(platform, recorder):
    api = Lifecycle(platform)
    api.run()
    messages = recorder.drain(8)

    envelope_schema = json.loads((EVENTS / "asyncapi.json").read_text())["components"]["schemas"]["CloudEventsEnvelope"]
    problems, seen = [], set()
    for routing_key, body in messages:
        seen.add(body.get("type"))
        if routing_key != body.get("type"):
            problems.append(f"routing key {routing_key} carries a {body.get('type')}")
        problems += [f"{routing_key} envelope: {error.message}" for error in validator(envelope_schema).iter_errors(body)]
        schema = json.loads((EVENTS / "schemas" / f"{body['type']}.json").read_text())
        problems += [f"{routing_key} data: {error.json_path} {error.message}"
                     for error in validator(schema).iter_errors(body["data"])]
    assert problems == []
    assert api.expected_types <= seen, f"missing: {sorted(api.expected_types - seen)}"


class Lifecycle:
    """Needs, a plan through rejection, revision and publication, learners, a session, and what
    the services do on their own in reaction."""

    expected_types = {"NeedRecorded.v1", "PlanSubmitted.v1", "PlanRejected.v1", "PlanApproved.v1",
                      "PlanPublished.v1", "LearnerRegistered.v1", "SessionScheduled.v1"}

    def __init__(self, platform):
        self.platform = platform

    def call(self, method, path, role, subject=None, expect=(200, 201), **kwargs):
        response = requests.request(method, f"{self.platform.url}/api/v1{path}", timeout=20,
                                    headers=self.platform.auth(role, subject), **kwargs)
        assert response.status_code in expect, response.text
        return response.json()

    def run(self):
        need = self.call("POST", "/needs", "specialist", "sam", json={
            "topic": "Report builder", "source": "sales", "product": None, "audience": {"user_type": None}})
        item = {"title": "Reports", "format": "classroom", "audience": "administrators", "venue": None,
                "linked_needs": [need["id"]], "schedule": {"session_starts": [f"{SESSION_DAY}T09:00"],
                                                           "duration_minutes": 120, "timezone": "Europe/Berlin"}}
        item.pop("venue")
        plan = self.call("POST", "/plans", "specialist", "sam", json={
            "year": SESSION_DAY.year, "title": "Schema lifecycle", "goals": [], "items": [item]})
        self.call("POST", f"/plans/{plan['id']}/submit", "specialist", "sam")
        self.call("POST", f"/plans/{plan['id']}/reject", "manager", "mia", json={"comment": "one more pass"})
        self.call("POST", f"/plans/{plan['id']}/revise", "specialist", "sam", json={
            "title": "Schema lifecycle", "goals": ["fewer tickets"], "items": [dict(item, item_id=plan["items"][0]["item_id"])]})
        self.call("POST", f"/plans/{plan['id']}/submit", "specialist", "sam")
        self.call("POST", f"/plans/{plan['id']}/approve", "manager", "mia", json={})
        self.call("POST", f"/plans/{plan['id']}/publish", "specialist", "sam", json={"channels": ["notice"]})
        self.call("POST", "/learners", "specialist", "sam", json={
            "learner_id": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
            "organisation": "Engines Ltd", "department": None, "user_type": "customer", "industry": None})
        start = datetime.combine(SESSION_DAY, datetime.min.time(), timezone.utc).replace(hour=13)
        self.call("POST", "/sessions", "supervisor", "sue", json={
            "title": "Reports, extra cohort", "format": "online", "capacity": 12, "venue": None,
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
