"""Reminders to the borrowers of overdue copies: the first the day after the due date, then one
every `every_days` while the copy is out, MAX_REMINDERS in all (after that the overdue list is
the staff's to follow up).

Contact details are asked of the archive at sending time (`contacts(borrower_ids)`), never kept
here; a borrower the archive does not know but who is in the trainer pool is reminded at the
profile's email, and anyone else (other staff) gets none, recorded as skipped.
Every reminder is claimed per channel on the copy's current loan before it is sent
(shared.claims) and its outcome recorded there, so a second replica or a repeated round sends
nothing twice, and a copy returned in between gets no reminder for the loan that ended.
"""
from datetime import date, timedelta

from shared.claims import SENT, send_once
from shared.notifications import Message, recipients_of, send_to_contact

from services.resources.loans import LENT
from services.resources.materials import get_material
from services.resources.store import COPIES, TRAINERS

MAX_REMINDERS = 4
# A reminder claimed this long ago and still "sending" was abandoned by a crash: send it again.
CLAIM_TIMEOUT = timedelta(minutes=10)


def reminder_round(due_on, today, every_days):
    """Which reminder is due for a copy due back on `due_on` (0 the first), or None."""
    days_over = (date.fromisoformat(today) - date.fromisoformat(due_on)).days
    if days_over < 1:
        return None
    number = (days_over - 1) // every_days
    return number if number < MAX_REMINDERS else None


def send_due(db, notifier, contacts, channels, every_days, now):
    """One round: send the reminders that are due; returns how many were sent."""
    channels = [channel for channel in channels if channel in notifier.channels]
    today = now.date().isoformat()
    due = []
    for copy in db[COPIES].find({"status": LENT, "loan.due_on": {"$lt": today}}):
        number = reminder_round(copy["loan"]["due_on"], today, every_days)
        reminders = (copy["loan"].get("reminders") or {}).get(f"r{number}") or {}
        if number is not None and any(reminders.get(channel, {}).get("status") != SENT for channel in channels):
            due.append((copy, number))
    if not due:
        return 0
    borrowers = {copy["loan"]["borrower_id"] for copy, _ in due}
    known = contacts(borrowers)
    known.update(trainer_contacts(db, borrowers - set(known)))
    sent = 0
    for copy, number in due:
        loan = copy["loan"]
        contact = known.get(loan["borrower_id"])
        message = compose(copy, get_material(db, copy["material_id"]), number, contact)
        for channel in channels:
            outcome = send_once(db[COPIES], copy["_id"], f"loan.reminders.r{number}.{channel}",
                                lambda: send_to_contact(notifier, channel, message, contact), now, CLAIM_TIMEOUT,
                                guard={"status": LENT, "loan.loan_id": loan["loan_id"]})
            sent += bool(outcome and outcome["status"] == SENT)
    return sent


def trainer_contacts(db, trainer_ids):
    """Contact details of borrowers who are trainers (the pool keeps their work email)."""
    found = db[TRAINERS].find({"_id": {"$in": sorted(trainer_ids)}}, {"name": 1, "email": 1})
    return {trainer["_id"]: {"name": trainer["name"], "email": trainer["email"]} for trainer in found}


def compose(copy, material, number, contact):
    loan = copy["loan"]
    name = material["title"] + (f" ({material['number']})" if material.get("number") else "")
    greeting = f"Dear {contact['name']}," if contact and contact.get("name") else "Hello,"
    text = "\n".join([
        greeting, "",
        f"The copy {copy['label']} of {name} that you borrowed was due back on {loan['due_on']}.",
        f"Please return it to {copy['location']}, or ask the training department for more time.",
        "" if number == 0 else f"This is reminder {number + 1} of {MAX_REMINDERS}.",
    ]).rstrip() + "\n"
    return Message(subject=f"Please return: {name}, copy {copy['label']}", text=text, recipients=recipients_of(contact),
                   reference=copy["material_id"], id=f"{loan['loan_id']}-reminder-{number}")
