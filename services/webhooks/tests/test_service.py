"""Interface tests of webhooks: a real broker and store, and a real HTTPS receiver on localhost
whose self-signed certificate the service is told to trust."""
import json
import ssl
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from standardwebhooks import Webhook

from shared.errors import Conflict, Forbidden, InvalidInput
from shared.events import make_envelope, utc_now
from shared.publisher import EventPublisher
from shared.testing import run_together, wait_until

from services.webhooks import deliveries
from services.webhooks.service import WebhooksService
from services.webhooks.targets import TargetPolicy

ADMIN = {"id": "ops", "roles": ["admin"]}


class Receiver:
    """An HTTPS endpoint of a company system: records each request; answers from a script of
    status codes (then 200)."""

    def __init__(self, tmp_path):
        authority = trustme.CA()
        self.ca_path = tmp_path / "ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_path))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert("localhost").configure_cert(context)
        self.requests, self.script = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.script.pop(0) if receiver.script else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_port}/training-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def receiver(tmp_path):
    receiver = Receiver(tmp_path)
    yield receiver
    receiver.stop()


@pytest.fixture
def container(running_service, receiver):
    return running_service(WebhooksService, WEBHOOK_ALLOW_PRIVATE=1, WEBHOOK_CA_BUNDLE=str(receiver.ca_path),
                           WEBHOOK_BACKOFF_SECONDS="0.1", WEBHOOK_MAX_ATTEMPTS=3)


@pytest.fixture
def admin(container, rpc_as):
    return rpc_as(container, ADMIN)


@pytest.fixture
def planning_events(container):
    publisher = EventPublisher(container.config["AMQP_URI"], "planning")
    yield publisher
    publisher.close()


def approved(plan_id="plan-1"):
    return make_envelope("PlanApproved.v1", plan_id, {
        "plan_id": plan_id, "year": 2027, "title": "Plan", "revision": 1, "approved_by": "mia",
        "approved_at": datetime(2027, 1, 5, tzinfo=timezone.utc), "items": []})


def deliveries_of(admin, subscription, status=None):
    return admin.list_deliveries(subscription["id"], {"status": status} if status else {})["items"]


def test_an_event_is_delivered_once_signed_as_standard_webhooks(admin, receiver, planning_events):
    subscription = admin.create_subscription({"name": "CRM", "url": receiver.url, "event_types": ["PlanApproved.v1"]})
    assert subscription["secret"].startswith("whsec_")
    assert "secret" not in admin.get_subscription(subscription["id"])
    envelope = approved()

    planning_events.publish(envelope)
    planning_events.publish(envelope)  # delivered twice by the broker: sent once
    wait_until(lambda: deliveries_of(admin, subscription, "delivered"), message="the delivery")
    headers, body = receiver.requests[0]

    assert json.loads(body) == envelope
    assert Webhook(subscription["secret"]).verify(body, headers) == envelope
    assert headers["webhook-id"] == envelope["id"]
    with pytest.raises(Exception):
        Webhook("whsec_" + "A" * 32).verify(body, headers)  # another secret does not verify
    delivery, = deliveries_of(admin, subscription)
    assert (delivery["status"], delivery["attempts"], delivery["log"][0]["status_code"]) == ("delivered", 1, 200)
    assert len(receiver.requests) == 1


def test_a_failing_receiver_is_retried_until_it_recovers(admin, receiver, planning_events):
    subscription = admin.create_subscription({"name": "HR", "url": receiver.url, "event_types": ["*"]})
    receiver.script = [500, 503]

    planning_events.publish(approved())

    delivery = wait_until(lambda: (found := deliveries_of(admin, subscription, "delivered")) and found[0],
                          timeout=30, message="the delivery after two failures")
    assert [attempt["status_code"] for attempt in delivery["log"]] == [500, 503, 200]
    assert len(receiver.requests) == 3 and len({headers["webhook-id"] for headers, _ in receiver.requests}) == 1


def test_a_delivery_that_keeps_failing_is_parked_then_redriven(admin, receiver, planning_events):
    subscription = admin.create_subscription({"name": "Warehouse", "url": receiver.url,
                                              "event_types": ["PlanApproved.v1"]})
    receiver.script = [500, 500, 500]

    planning_events.publish(approved())

    parked, = wait_until(lambda: deliveries_of(admin, subscription, "parked"), timeout=30, message="the parked delivery")
    assert parked["attempts"] == 3
    redriven = admin.redrive_delivery(parked["id"])  # the receiver works again
    assert redriven["status"] == "delivered"
    assert [attempt["status_code"] for attempt in redriven["log"]] == [500, 500, 500, 200]
    with pytest.raises(Conflict):
        admin.redrive_delivery(parked["id"])  # only a parked delivery is redriven


def test_a_paused_subscription_receives_nothing_and_other_types_are_not_sent(admin, receiver, planning_events):
    paused = admin.create_subscription({"name": "Paused", "url": receiver.url, "event_types": ["PlanApproved.v1"]})
    admin.pause_subscription(paused["id"])
    with pytest.raises(Conflict):
        admin.pause_subscription(paused["id"])
    other = admin.create_subscription({"name": "Sessions only", "url": receiver.url,
                                       "event_types": ["SessionCompleted.v1"]})

    planning_events.publish(approved())
    witness = admin.create_subscription({"name": "Witness", "url": receiver.url, "event_types": ["PlanApproved.v1"]})
    planning_events.publish(approved("plan-2"))
    wait_until(lambda: deliveries_of(admin, witness, "delivered"), message="the witness delivery")

    assert deliveries_of(admin, paused) == [] and deliveries_of(admin, other) == []


def test_one_delivery_claimed_by_many_workers_at_once_is_sent_once(container, store, receiver, admin):
    subscription = admin.create_subscription({"name": "CRM", "url": receiver.url, "event_types": ["PlanApproved.v1"]})
    db = store(container.config, "webhooks")
    now = utc_now()
    delivery_id, = deliveries.fan_out(db, approved("plan-raced"), now)
    policy = TargetPolicy(allow_private=True, ca_bundle=str(receiver.ca_path))

    outcomes = run_together(8, lambda _: deliveries.attempt(db, delivery_id, now, policy, 3))

    assert sum(outcome is not None for outcome in outcomes) == 1
    assert len(receiver.requests) == 1
    assert deliveries_of(admin, subscription)[0]["status"] == "delivered"


def test_internal_and_plain_http_targets_are_refused_without_the_operators_leave(running_service, rpc_as, receiver):
    strict = rpc_as(running_service(WebhooksService), ADMIN)
    for url in (receiver.url, "https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data",
                "http://crm.example.com/hook"):
        with pytest.raises(InvalidInput) as refused:
            strict.create_subscription({"name": "Sneaky", "url": url, "event_types": ["*"]})
        assert refused.value.details["fields"]["url"]
    assert strict.list_subscriptions({})["total"] == 0


def test_only_administrators_manage_subscriptions(container, rpc_as, receiver):
    with pytest.raises(Forbidden):
        rpc_as(container, {"id": "sue", "roles": ["supervisor"]}).create_subscription(
            {"name": "CRM", "url": receiver.url, "event_types": ["*"]})
    with pytest.raises(InvalidInput) as refused:
        rpc_as(container, ADMIN).create_subscription({"name": "CRM", "url": receiver.url, "event_types": ["Nope.v1"]})
    assert "event_types" in refused.value.details["fields"]
