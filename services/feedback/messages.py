"""Messages to learners about their surveys: an invitation when a survey opens and a reminder
FEEDBACK_REMINDER_AFTER_HOURS later to those who have not answered, through the channels of
FEEDBACK_CHANNELS (shared.notifications). The timer round sends what is due.

Each (message, channel) of a survey is claimed before it is sent (shared.claims) and its outcome
recorded on the survey, so a second replica or a repeated round sends nothing twice. A failed
channel is tried again in later rounds, MAX_ROUNDS times in all. Contact details come from the
archive at sending time: the survey keeps learner ids only.
"""
import logging
from datetime import timedelta

from shared.claims import send_once
from shared.notifications import FAILED, SENT, SKIPPED, Message

from services.feedback.store import RESPONDENTS, SURVEYS

log = logging.getLogger(__name__)

MAX_ROUNDS = 3
# A claim this old and still "sending" was abandoned by a crash: it may be sent again.
CLAIM_TIMEOUT = timedelta(minutes=10)


def deliver_once(collection, doc_id, path, previous, send, now):
    """Claim and send one message unless it went out, was skipped or failed MAX_ROUNDS times;
    `send()` returns the channel's Delivery."""
    previous = previous or {}
    if previous.get("status") in (SENT, SKIPPED) or previous.get("rounds", 0) >= MAX_ROUNDS:
        return None

    def attempt():
        try:
            outcome = send().as_dict()
        except Exception as exc:  # e.g. the archive is down: recorded as failed, tried next round
            log.warning("message %s of %s not sent: %r", path, doc_id, exc)
            outcome = {"status": FAILED, "attempts": 0, "detail": repr(exc), "at": now}
        return dict(outcome, rounds=previous.get("rounds", 0) + 1)

    return send_once(collection, doc_id, path, attempt, now, CLAIM_TIMEOUT)


def send_due(db, notifier, contacts, rules, now):
    """Send the invitations and reminders that are due; returns how many messages were tried."""
    tried = 0
    for survey in db[SURVEYS].find({"status": "open", "closes_at": {"$gt": now}}):
        due = {"invitation": survey["opens_at"],
               "reminder": survey["opens_at"] + timedelta(hours=rules.reminder_after_hours)}
        for message, due_at in due.items():
            if due_at > now:
                continue
            for channel in rules.channels:
                previous = survey["messages"].get(message, {}).get(channel)

                def send(channel=channel, message=message):
                    return notifier.send(channel, survey_message(db, survey, message, contacts, rules))

                if deliver_once(db[SURVEYS], survey["_id"], f"messages.{message}.{channel}", previous, send, now):
                    tried += 1
    return tried


def survey_message(db, survey, message, contacts, rules):
    """The invitation (to every attendee) or reminder (to those who have not answered)."""
    learners = survey["attendees"]
    if message == "reminder":
        answered = {entry["learner_id"] for entry in db[RESPONDENTS].find({"survey_id": survey["_id"]})}
        learners = [learner for learner in learners if learner not in answered]
    reached = contacts(learners) if learners else []
    link = f"{rules.public_url}/api/v1/surveys/{survey['_id']}"
    opening = ("We would like your feedback" if message == "invitation"
               else "A reminder: we would still like your feedback")
    text = (f"{opening} on \"{survey['title']}\".\n\n"
            f"Answer the survey here (signed in): {link}\n"
            f"It closes on {survey['closes_at']:%Y-%m-%d %H:%M} UTC."
            + ("\nYour answers are anonymous." if survey["anonymous"] else "") + "\n")
    return Message(subject=f"Your feedback: {survey['title']}", text=text,
                   recipients={"email": [contact["email"] for contact in reached if contact.get("email")],
                               "sms": [contact["phone"] for contact in reached if contact.get("phone")]},
                   reference=survey["_id"], id=f"{survey['_id']}-{message}")
