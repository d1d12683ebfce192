"""Calendar invitations and feeds (iCalendar, RFC 5545 and iTIP's METHOD), built with icalendar.

One session is one VEVENT everywhere, with a stable UID; its SEQUENCE is the session's
`sequence`, raised by every reschedule and by the cancellation, so calendar programs replace the
event they hold. An invitation is METHOD:REQUEST (new or changed) or METHOD:CANCEL; a feed
lists sessions as they are now, cancelled ones marked STATUS:CANCELLED.
"""
from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Training platform//delivery//EN"
UID_DOMAIN = "training-platform"


def uid(session_id):
    return f"{session_id}@{UID_DOMAIN}"


def session_event(session, now, attendee=None, organizer=None, cancelled=False):
    event = Event()
    event.add("uid", uid(session["_id"]))
    event.add("dtstamp", now)
    event.add("dtstart", session["starts_at"])
    event.add("dtend", session["ends_at"])
    event.add("sequence", session["sequence"])
    event.add("summary", session["title"])
    event.add("status", "CANCELLED" if cancelled or session["status"] == "cancelled" else "CONFIRMED")
    where = session.get("venue") or session.get("online_url")
    if where:
        event.add("location", where)
    if session.get("online_url"):
        event.add("url", session["online_url"])
    event.add("description", description(session))
    if organizer:
        event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    if attendee:
        address = vCalAddress(f"mailto:{attendee['email']}")
        address.params["CN"] = attendee.get("name") or attendee["email"]
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "ACCEPTED"
        event.add("attendee", address)
    return event


def description(session):
    lines = [f"{session['title']} ({session['format'].replace('_', ' ')})"]
    if session.get("online_url"):
        lines.append(f"Join: {session['online_url']}")
    if session.get("cancellation"):
        lines.append(f"Cancelled: {session['cancellation']['reason']}")
    return "\n".join(lines)


def calendar(method=None, name=None):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def invitation(session, now, attendee, organizer, cancel=False):
    """One learner's invitation (REQUEST) or its withdrawal (CANCEL), as text."""
    cal = calendar("CANCEL" if cancel else "REQUEST")
    cal.add_component(session_event(session, now, attendee, organizer, cancelled=cancel))
    return cal.to_ical().decode()


def feed(entries, name, now):
    """A subscribable calendar (METHOD:PUBLISH) of (session, cancelled for this reader) pairs."""
    cal = calendar("PUBLISH", name)
    for session, cancelled in entries:
        cal.add_component(session_event(session, now, cancelled=cancelled))
    return cal.to_ical().decode()
