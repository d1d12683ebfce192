"""Channel adapters against real local servers: an SMTP server (aiosmtpd, in its own process so
its asyncio loop stays clear of the eventlet-patched test process) and an HTTP webhook."""
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.notifications import FAILED, SENT, SKIPPED, Message, Notifier, notifier_from_env
from shared.testing import free_port


class Webhook:
    """A local HTTP endpoint that answers with the statuses it is given, in turn, and keeps what it got."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                webhook.received.append((json.loads(body), self.headers.get("Authorization")))
                self.send_response(webhook.statuses.pop(0) if len(webhook.statuses) > 1 else webhook.statuses[0])
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    hooks = []

    def start(*statuses):
        hooks.append(Webhook(statuses))
        return hooks[-1]

    yield start
    for hook in hooks:
        hook.stop()


MESSAGE = Message(subject="Training plan 2026", text="Our plan.\n", reference="plan-1",
                  recipients={"email": ["ada@example.com", "alan@example.com"], "sms": ["+44 20 7946 0000"]})


def notifier(sleeps=None, **env):
    record = sleeps.append if sleeps is not None else (lambda seconds: None)
    return notifier_from_env(environ=dict({"NOTIFY_BACKOFF_SECONDS": "0.5"}, **env), sleep=record)


def test_email_reaches_the_smtp_server_with_every_recipient_hidden(smtp_server):
    delivery = notifier(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port),
                        SMTP_FROM="training@example.com").send("email", MESSAGE)

    assert (delivery.status, delivery.attempts, delivery.detail) == (SENT, 1, "sent to 2 of 2")
    received, = smtp_server.messages()
    assert received["Subject"] == "Training plan 2026"
    assert received["From"] == "training@example.com"
    assert received["To"] == "undisclosed-recipients:;"
    assert received["X-RcptTo"] == "ada@example.com, alan@example.com"
    assert received.get_payload().strip() == "Our plan."


def test_email_carries_its_attachments(smtp_server):
    invitation = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    message = Message(subject="Invitation", text="See you there.", recipients={"email": ["ada@example.com"]},
                      attachments=(("invite.ics", "text/calendar; method=REQUEST", invitation),
                                   ("agenda.pdf", "application/pdf", b"%PDF-1.4 demo")))
    delivery = notifier(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port)).send("email", message)

    assert delivery.status == SENT
    received, = smtp_server.messages()
    parts = {part.get_filename(): part for part in received.walk() if part.get_filename()}
    assert parts["invite.ics"].get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in parts["invite.ics"].get_payload(decode=True).decode()
    assert parts["agenda.pdf"].get_payload(decode=True) == b"%PDF-1.4 demo"


def test_unreachable_smtp_server_is_retried_with_backoff_then_reported():
    sleeps = []
    delivery = notifier(sleeps, SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port())).send("email", MESSAGE)

    assert (delivery.status, delivery.attempts) == (FAILED, 3)
    assert "ConnectionRefusedError" in delivery.detail
    assert sleeps == [0.5, 1.0]


def test_webhook_retries_a_server_error_and_sends_the_message(webhook):
    hook = webhook(503, 200)
    delivery = notifier(SMS_WEBHOOK_URL=hook.url, WEBHOOK_TOKEN="s3cret").send("sms", MESSAGE)

    assert (delivery.status, delivery.attempts) == (SENT, 2)
    body, authorization = hook.received[-1]
    assert authorization == "Bearer s3cret"
    assert body["recipients"] == ["+44 20 7946 0000"]
    assert (body["subject"], body["text"], body["reference"], body["id"]) == (
        "Training plan 2026", "Our plan.\n", "plan-1", MESSAGE.id)


def test_webhook_that_refuses_the_message_is_not_retried(webhook):
    hook = webhook(400)
    delivery = notifier(IM_WEBHOOK_URL=hook.url).send("im", MESSAGE)

    assert (delivery.status, delivery.attempts) == (FAILED, 1)
    assert "HTTP 400" in delivery.detail
    assert len(hook.received) == 1


def test_channels_without_configuration_or_recipients_are_skipped(webhook):
    configured = notifier(SMS_WEBHOOK_URL=webhook(200).url)
    no_numbers = Message(subject="s", text="t", recipients={"email": ["a@example.com"]})

    assert configured.send("email", MESSAGE).status == SKIPPED
    assert configured.send("sms", no_numbers).status == SKIPPED
    assert Notifier([]).send("im", MESSAGE).detail == "channel not configured"


def test_one_failing_channel_does_not_block_the_others(webhook):
    hook = webhook(200)
    channels = notifier(SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), IM_WEBHOOK_URL=hook.url)

    results = {name: channels.send(name, MESSAGE).status for name in ("email", "im")}

    assert results == {"email": FAILED, "im": SENT}
    assert hook.received


def test_internal_notice_is_stored_once_per_message(mongo_client):
    database = mongo_client[f"t_notifications_{uuid.uuid4().hex[:8]}"]
    try:
        notices = notifier_from_env(notices=database["notices"], environ={})
        for _ in range(2):
            assert notices.send("notice", MESSAGE).status == SENT

        stored, = database["notices"].find()
        assert (stored["_id"], stored["subject"], stored["reference"]) == (MESSAGE.id, "Training plan 2026", "plan-1")
    finally:
        mongo_client.drop_database(database.name)
