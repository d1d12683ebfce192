"""Other company systems, end to end: the example subscriber (examples/subscriber.py, plain
kombu) follows a real lifecycle, skips duplicates and validates what it gets; an administrator
replays history into one new subscriber's queue only; a webhook receiver over HTTPS gets the
same events signed, including after it failed for a while."""
import json
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import requests
from kombu import Connection
from standardwebhooks import Webhook

from shared.testing import REPO, wait_until
from services.webhooks.tests.test_service import Receiver

PLATFORM_SERVICES = ("planning", "webhooks")
SESSION_DAY = date.today() + timedelta(days=45)


@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    receiver = Receiver(tmp_path_factory.mktemp("receiver"))
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def platform_env(receiver):
    return {"WEBHOOK_ALLOW_PRIVATE": 1, "WEBHOOK_CA_BUNDLE": str(receiver.ca_path), "WEBHOOK_BACKOFF_SECONDS": "0.2",
            "WEBHOOK_RETRY_INTERVAL_SECONDS": 1}


@pytest.fixture(scope="module")
def platform(platform_env, request, vhost_pipeline, mongo_client, tmp_path_factory):
    from tests.conftest import start_platform

    yield from start_platform(request, vhost_pipeline, mongo_client, tmp_path_factory, env=platform_env)


class ExampleSubscriber:
    def __init__(self, amqp_uri, queue, tmp_path, routes=("--bind", "planning.events:#")):
        self.queue = queue
        self.output = tmp_path / f"{queue}.out"
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "examples/subscriber.py"), "--amqp", amqp_uri, "--queue", queue,
             *routes, "--seen", str(tmp_path / f"{queue}.seen"),
             "--schemas", str(REPO / "docs/events/schemas")],
            stdout=open(self.output, "w"), stderr=subprocess.STDOUT)
        wait_until(lambda: "subscribed" in self.output.read_text(), message="the example subscriber")

    def events(self):
        lines = [json.loads(line) for line in self.output.read_text().splitlines() if line.startswith("{")]
        return [line for line in lines if "type" in line]

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def call(platform, method, path, role, subject=None, **kwargs):
    response = requests.request(method, f"{platform.url}/api/v1{path}", timeout=20,
                                headers=platform.auth(role, subject), **kwargs)
    assert response.ok, response.text
    return response.json()


def lifecycle(platform, title):
    item = {"title": "Reports", "format": "online", "audience": "administrators",
            "schedule": {"session_starts": [f"{SESSION_DAY}T09:00"], "duration_minutes": 90, "timezone": "UTC"}}
    plan = call(platform, "POST", "/plans", "specialist", "sam", json={"year": SESSION_DAY.year, "title": title,
                                                                       "items": [item]})
    call(platform, "POST", f"/plans/{plan['id']}/submit", "specialist", "sam")
    call(platform, "POST", f"/plans/{plan['id']}/approve", "manager", "mia", json={})
    call(platform, "POST", f"/plans/{plan['id']}/publish", "specialist", "sam", json={"channels": ["notice"]})
    return plan


def test_subscribers_follow_a_lifecycle_backfill_by_replay_and_receive_signed_webhooks(platform, receiver, tmp_path):
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    crm = ExampleSubscriber(platform.amqp_uri, f"crm-{uuid.uuid4().hex[:6]}", tmp_path)
    hook = call(platform, "POST", "/webhooks", "admin", json={
        "name": "Support desk", "url": receiver.url, "event_types": ["PlanApproved.v1", "PlanPublished.v1"]})
    receiver.script = [503]  # the support desk is down for the first delivery
    try:
        plan = lifecycle(platform, f"Subscribed {uuid.uuid4().hex[:6]}")
        types = ["PlanSubmitted.v1", "PlanApproved.v1", "PlanPublished.v1"]
        wait_until(lambda: [event["type"] for event in crm.events() if event["subject"] == plan["id"]] == types,
                   message="the example subscriber to receive the lifecycle")

        # At least once: a redelivered event reaches the subscriber again, and it skips it.
        duplicate = crm.events()[-1]
        with Connection(platform.amqp_uri) as connection:  # as the broker redelivers it
            connection.Producer().publish(duplicate, exchange="", routing_key=crm.queue, serializer="json")
        time.sleep(1.5)
        assert [event["id"] for event in crm.events()].count(duplicate["id"]) == 1
    finally:
        crm.stop()

    # A new system joins later: its own queue, bound to planning.replays by its name (the example's
    # --replays), gets the history replayed, and nobody else does.
    warehouse = ExampleSubscriber(platform.amqp_uri, f"warehouse-{uuid.uuid4().hex[:6]}", tmp_path,
                                  routes=("--replays", "planning"))
    try:
        with Connection(platform.amqp_uri) as connection:
            crm_depth_before = connection.default_channel.queue_declare(crm.queue, passive=True).message_count
            result = call(platform, "POST", "/event-replays/planning", "admin", json={
                "queue": warehouse.queue, "since": started.isoformat(), "until": datetime.now(timezone.utc).isoformat(),
                "types": types})
            assert result["replayed"] >= 3 and result["more"] is False
            replayed = wait_until(lambda: len(warehouse.events()) == result["replayed"] and warehouse.events(),
                                  message="the replayed events")
            assert connection.default_channel.queue_declare(crm.queue, passive=True).message_count == crm_depth_before

            # A queue that exists but is not bound to planning.replays by its name gets nothing: 404.
            unbound = requests.post(f"{platform.url}/api/v1/event-replays/planning", headers=platform.auth("admin"),
                                    json={"queue": crm.queue, "since": started.isoformat(),
                                          "until": datetime.now(timezone.utc).isoformat()}, timeout=10)
            assert unbound.status_code == 404 and "planning.replays" in unbound.json()["error"]["message"]
            assert connection.default_channel.queue_declare(crm.queue, passive=True).message_count == crm_depth_before
    finally:
        warehouse.stop()
    ours = [envelope for envelope in replayed if envelope["subject"] == plan["id"]]
    assert [envelope["id"] for envelope in ours] == [event["id"] for event in crm.events()
                                                     if event["subject"] == plan["id"]]  # the same ids
    unknown_queue = requests.post(f"{platform.url}/api/v1/event-replays/planning", headers=platform.auth("admin"),
                                  json={"queue": "nobody-listens-here", "since": started.isoformat(),
                                        "until": datetime.now(timezone.utc).isoformat()}, timeout=10)
    assert unknown_queue.status_code == 404

    # The webhook: both subscribed events arrived signed, the first after one failed attempt.
    deliveries = wait_until(lambda: (found := call(platform, "GET", f"/webhooks/{hook['id']}/deliveries?status=delivered",
                                                   "admin")["items"]) and len(found) == 2 and found,
                            timeout=30, message="both webhook deliveries")
    assert sorted(len(delivery["log"]) for delivery in deliveries) == [1, 2]
    received = [Webhook(hook["secret"]).verify(body, headers) for headers, body in receiver.requests]
    assert {envelope["type"] for envelope in received if envelope["subject"] == plan["id"]} == {
        "PlanApproved.v1", "PlanPublished.v1"}
