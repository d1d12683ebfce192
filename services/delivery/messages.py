"""Messages to learners: an invitation when they get a seat, an update on every change, a
withdrawal when a seat or the session is cancelled, and reminders before the start (the offsets
of DELIVERY_REMINDER_DAYS, e.g. 7 and 1 days).

Emails carry the calendar invitation (invitations.py). Contact details are asked of the archive
at send time (`contacts(learner_ids)`), never kept here. Every message is claimed per learner
and channel on the learner's enrolment before it is sent (shared.claims), and its outcome
recorded there, so a redelivered event or a second reminder round sends nothing twice.
"""
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from shared.claims import SENT, send_once
from shared.notifications import EMAIL, SMS, Message, recipients_of, send_to_contact

from services.delivery import checklist
from services.delivery.invitations import invitation
from services.delivery.sessions import OPEN
from services.delivery.store import ENROLMENTS, SESSIONS

# A message claimed this long ago and still "sending" was abandoned by a crash: send it again.
CLAIM_TIMEOUT = timedelta(minutes=10)
CALENDAR_FILE = "invitation.ics"


@dataclass(frozen=True)
class Post:
    """How messages leave: the notifier's channels, the archive's contact details, the sender."""
    notifier: object
    contacts: Callable  # learner ids -> {learner_id: {"name", "email", "phone", ...}}
    channels: tuple = (EMAIL, SMS)
    organizer: str = "training@localhost"


def notify(db, session, learner_ids, key, kind, post, now, reason=None):
    """Send message `key` (one of KINDS) about the session to each learner, through each channel,
    at most once; returns how many were sent."""
    channels = [channel for channel in post.channels if channel in post.notifier.channels]
    if not channels:
        return 0  # no channel configured: nothing to send, nobody to ask for contact details
    enrolments = {doc["learner_id"]: doc for doc in db[ENROLMENTS].find(
        {"session_id": session["_id"], "learner_id": {"$in": list(learner_ids)}})}
    pending = [learner for learner in learner_ids if learner in enrolments and any(
        ((enrolments[learner].get("messages") or {}).get(key) or {}).get(channel, {}).get("status") != SENT
        for channel in channels)]
    if not pending:
        return 0
    contacts = post.contacts(pending)
    sent = 0
    for learner in pending:
        enrolment, contact = enrolments[learner], contacts.get(learner)
        message = compose(session, kind, enrolment, contact, post.organizer, now, reason)
        for channel in channels:
            outcome = send_once(db[ENROLMENTS], enrolment["_id"], f"messages.{key}.{channel}",
                                lambda: send_to_contact(post.notifier, channel, message, contact), now, CLAIM_TIMEOUT)
            sent += bool(outcome and outcome["status"] == SENT)
    return sent


KINDS = {
    # kind: (subject, first line, calendar method: None (no attachment), "REQUEST" or "CANCEL")
    "enrolled": ("You are enrolled: {title}", "You have a seat in {title}.", "REQUEST"),
    "promoted": ("A seat is free for you: {title}", "A seat became free and is now yours: {title}.", "REQUEST"),
    "changed": ("Changed: {title}", "{title} has changed. Your seat is kept.", "REQUEST"),
    "reminder": ("Reminder: {title} on {day}", "A reminder: {title} starts soon.", "REQUEST"),
    "seat_cancelled": ("Your place is cancelled: {title}", "Your place in {title} is cancelled.", "CANCEL"),
    "cancelled": ("Cancelled: {title}", "{title} is cancelled.", "CANCEL"),
}


def compose(session, kind, enrolment, contact, organizer, now, reason=None):
    subject, opening, method = KINDS[kind]
    zone = ZoneInfo(session.get("timezone") or "UTC")
    starts, ends = session["starts_at"].astimezone(zone), session["ends_at"].astimezone(zone)
    values = {"title": session["title"], "day": f"{starts:%Y-%m-%d}"}
    lines = [opening.format(**values), "",
             f"When: {starts:%A %Y-%m-%d %H:%M} to {ends:%H:%M} ({zone.key})"]
    if session.get("venue"):
        lines.append(f"Where: {session['venue']}")
    if session.get("online_url"):
        lines.append(f"Join: {session['online_url']}")
    if reason:
        lines.append(f"Why: {reason}")
    recipients = recipients_of(contact)
    attachments = ()
    if method and contact and contact.get("email"):
        attendee = {"email": contact["email"], "name": contact.get("name")}
        attachments = ((CALENDAR_FILE, f"text/calendar; method={method}",
                        invitation(session, now, attendee, organizer, cancel=method == "CANCEL")),)
    return Message(subject=subject.format(**values), text="\n".join(lines) + "\n", recipients=recipients,
                   reference=session["_id"], id=f"{enrolment['_id']}-{kind}-s{session['sequence']}",
                   attachments=attachments)


def send_reminders(db, post, now, offsets_days):
    """One round: remind the learners of sessions starting within the longest offset, once per
    offset (the shortest one the time left falls within) and per version of the session."""
    if not offsets_days:
        return 0
    horizon = now + timedelta(days=max(offsets_days))
    reminded = 0
    for session in db[SESSIONS].find({"status": {"$in": list(OPEN)}, "starts_at": {"$gt": now, "$lte": horizon}}):
        if not session["seat_holders"]:
            continue
        days = min(offset for offset in offsets_days if session["starts_at"] - now <= timedelta(days=offset))
        sent = notify(db, session, session["seat_holders"], f"reminder-{days}d-s{session['sequence']}",
                      "reminder", post, now)
        reminded += sent
        if sent and not session["checklist"].get("reminders_sent", {"done": True})["done"]:
            db[SESSIONS].update_one(
                {"_id": session["_id"], "status": {"$in": list(OPEN)}, "sequence": session["sequence"]},
                {"$set": {"checklist.reminders_sent": checklist.ticked("delivery", now, f"{days}-day reminder")}})
    return reminded
