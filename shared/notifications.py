"""Channel adapters that tell people things: internal notice, email (SMTP), SMS and IM webhooks.

Plain Python (no nameko), so every service can use them: planning publishes plans through them,
delivery will send its reminders through them. An adapter's `send(message)` tries a bounded
number of times with exponential backoff and returns a `Delivery` instead of raising, so one
failing channel never blocks the others.

Configuration (environment; a channel whose settings are missing is not configured and a send
to it is reported as skipped):
  SMTP_HOST, SMTP_PORT (25), SMTP_FROM, SMTP_USER and SMTP_PASSWORD (optional), SMTP_STARTTLS (0/1)
  SMS_WEBHOOK_URL, IM_WEBHOOK_URL, WEBHOOK_TOKEN (optional bearer token for both webhooks)
  NOTIFY_ATTEMPTS (3), NOTIFY_BACKOFF_SECONDS (1), NOTIFY_TIMEOUT_SECONDS (10)
"""
import logging
import os
import smtplib
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage

import requests

log = logging.getLogger(__name__)

NOTICE, EMAIL, SMS, IM = "notice", "email", "sms", "im"
CHANNELS = (NOTICE, EMAIL, SMS, IM)
SENT, FAILED, SKIPPED = "sent", "failed", "skipped"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    recipients: dict = field(default_factory=dict)  # channel name -> addresses (emails, phone numbers)
    reference: str = ""  # what the message is about, e.g. a plan id
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # same id, same notice: resends are idempotent
    # Files sent with an email, e.g. a calendar invitation: (file name, MIME type, text or bytes).
    attachments: tuple = ()


@dataclass(frozen=True)
class Delivery:
    """The outcome of sending one message through one channel."""
    channel: str
    status: str  # sent | failed | skipped
    attempts: int
    detail: str
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def as_dict(self):
        return asdict(self)


class PermanentFailure(Exception):
    """The channel refused the message in a way that retrying will not change."""


class Channel(ABC):
    name = None
    needs_recipients = False

    def __init__(self, attempts=3, backoff_seconds=1.0, sleep=time.sleep):
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def send(self, message):
        if self.needs_recipients and not message.recipients.get(self.name):
            return Delivery(self.name, SKIPPED, 0, "no recipients for this channel")
        for attempt in range(1, self.attempts + 1):
            try:
                return Delivery(self.name, SENT, attempt, self.deliver(message))
            except PermanentFailure as exc:
                return Delivery(self.name, FAILED, attempt, str(exc))
            except Exception as exc:  # network, server or timeout: worth another try
                log.warning("%s channel failed (attempt %d of %d): %r", self.name, attempt, self.attempts, exc)
                if attempt == self.attempts:
                    return Delivery(self.name, FAILED, attempt, repr(exc))
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))

    @abstractmethod
    def deliver(self, message):
        """Send once; return a short description of what happened, or raise."""


class InternalNoticeChannel(Channel):
    """Notices in the office system: stored in a collection that the service serves over its API."""
    name = NOTICE

    def __init__(self, collection, **kwargs):
        super().__init__(**kwargs)
        self.collection = collection

    def deliver(self, message):
        self.collection.update_one(
            {"_id": message.id},
            {"$setOnInsert": {"subject": message.subject, "text": message.text, "reference": message.reference,
                              "posted_at": datetime.now(timezone.utc)}},
            upsert=True)
        return f"notice {message.id} posted"


class EmailChannel(Channel):
    name = EMAIL
    needs_recipients = True

    def __init__(self, host, port, sender, user=None, password=None, starttls=False, timeout=10, **kwargs):
        super().__init__(**kwargs)
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def deliver(self, message):
        recipients = list(message.recipients[EMAIL])
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = "undisclosed-recipients:;"  # customers must not see each other's addresses
        email["Subject"] = message.subject
        email.set_content(message.text)
        for name, mime_type, content in message.attachments:
            maintype, subtype = mime_type.split(";")[0].split("/")
            if isinstance(content, str):
                email.add_attachment(content, subtype=subtype, filename=name)
            else:
                email.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            try:
                refused = smtp.send_message(email, self.sender, recipients)
            except smtplib.SMTPRecipientsRefused as exc:
                raise PermanentFailure(f"all recipients refused: {sorted(exc.recipients)}") from None
        delivered = len(recipients) - len(refused)
        return f"sent to {delivered} of {len(recipients)}" + (f"; refused {sorted(refused)}" if refused else "")


class WebhookChannel(Channel):
    """SMS gateways and IM/social bots behind an HTTP endpoint that takes a JSON message."""

    def __init__(self, name, url, token=None, timeout=10, needs_recipients=False, **kwargs):
        super().__init__(**kwargs)
        self.name, self.url, self.token, self.timeout = name, url, token, timeout
        self.needs_recipients = needs_recipients

    def deliver(self, message):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = requests.post(self.url, timeout=self.timeout, headers=headers, json={
            "id": message.id, "subject": message.subject, "text": message.text,
            "recipients": list(message.recipients.get(self.name, ())), "reference": message.reference})
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            raise PermanentFailure(f"webhook refused the message: HTTP {response.status_code}")
        response.raise_for_status()
        return f"webhook answered HTTP {response.status_code}"


class Notifier:
    """The channels a process has configured; sending to any other is reported as skipped."""

    def __init__(self, channels):
        self.channels = {channel.name: channel for channel in channels}

    def send(self, channel_name, message):
        channel = self.channels.get(channel_name)
        if channel is None:
            return Delivery(channel_name, SKIPPED, 0, "channel not configured")
        return channel.send(message)


def recipients_of(contact):
    """Where a person's email and SMS go, from the contact details the archive gave (or None)."""
    contact = contact or {}
    return {EMAIL: [contact["email"]] if contact.get("email") else [],
            SMS: [contact["phone"]] if contact.get("phone") else []}


def send_to_contact(notifier, channel, message, contact):
    """Send a message to one person as a Delivery dict; skipped when the archive had no contact
    details for them (`contact` None)."""
    if contact is None:
        return Delivery(channel, SKIPPED, 0, "the archive has no contact details for this person").as_dict()
    return notifier.send(channel, message).as_dict()


def notifier_from_env(notices=None, environ=None, sleep=time.sleep):
    """A Notifier with every channel the environment configures (and notices, given their collection)."""
    env = os.environ if environ is None else environ
    retry = {"attempts": int(env.get("NOTIFY_ATTEMPTS", "3")),
             "backoff_seconds": float(env.get("NOTIFY_BACKOFF_SECONDS", "1")), "sleep": sleep}
    timeout = float(env.get("NOTIFY_TIMEOUT_SECONDS", "10"))
    channels = []
    if notices is not None:
        channels.append(InternalNoticeChannel(notices, **retry))
    if env.get("SMTP_HOST"):
        channels.append(EmailChannel(
            env["SMTP_HOST"], int(env.get("SMTP_PORT", "25")), env.get("SMTP_FROM", "training@localhost"),
            user=env.get("SMTP_USER"), password=env.get("SMTP_PASSWORD"),
            starttls=env.get("SMTP_STARTTLS", "0") == "1", timeout=timeout, **retry))
    for name, variable, needs_recipients in ((SMS, "SMS_WEBHOOK_URL", True), (IM, "IM_WEBHOOK_URL", False)):
        if env.get(variable):
            channels.append(WebhookChannel(name, env[variable], token=env.get("WEBHOOK_TOKEN"),
                                           timeout=timeout, needs_recipients=needs_recipients, **retry))
    return Notifier(channels)
