"""Whether a resource can serve a session, apart from its calendar: pure rules, no store.

Each check returns the problems it finds as (reason, detail) pairs; none means the resource fits.
Being booked by another session at that time (double_booked) is the calendar's to say.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.resources.contract import ACTIVE, CLOSED, MAINTENANCE, RETIRED

# Formats that happen in a room; a session of these with neither a room nor a venue lacks one.
IN_PERSON_FORMATS = ("classroom", "on_site_demo", "group_discussion", "case_study", "simulation")


def trainer_problems(trainer, session):
    if trainer is None:
        return [("unknown", "no such trainer in the pool")]
    if trainer["status"] != ACTIVE:
        return [("retired", f"{trainer['name']} was removed from the trainer pool")]
    problems = []
    hours = trainer["working_hours"]
    zone = ZoneInfo(hours["timezone"])
    start, end = session["starts_at"].astimezone(zone), session["ends_at"].astimezone(zone)
    for leave in trainer.get("leave", []):
        if overlaps_days(start, end, as_date(leave["starts_on"]), as_date(leave["ends_on"])):
            problems.append(("on_leave", f"{trainer['name']} is on leave from {as_date(leave['starts_on'])} "
                                         f"to {as_date(leave['ends_on'])}"))
            break
    if not within_working_hours(start, end, hours):
        problems.append(("outside_working_hours", f"{trainer['name']} works {hours['start']}-{hours['end']} "
                                                  f"({hours['timezone']}) on ISO weekdays "
                                                  f"{','.join(map(str, hours['weekdays']))}"))
    if session.get("tier") and session["tier"] not in trainer["tiers"]:
        problems.append(("not_qualified", f"{trainer['name']} is not qualified for the {session['tier']} tier"))
    known = {value.casefold() for value in trainer["topics"] + trainer.get("products", [])}
    untaught = [topic for topic in session.get("topics") or () if topic.casefold() not in known]
    if untaught:
        problems.append(("not_qualified", f"{trainer['name']} does not teach {', '.join(untaught)}"))
    return problems


def room_problems(room, session):
    if room is None:
        return [("unknown", "no such room")]
    if room["status"] == CLOSED:
        return [("retired", f"{room['name']} is closed")]
    if session.get("capacity") and room["capacity"] < session["capacity"]:
        return [("too_small", f"{room['name']} seats {room['capacity']}; the session is for {session['capacity']}")]
    return []


def equipment_problems(item, session):
    if item is None:
        return [("unknown", "no such equipment")]
    if item["status"] == RETIRED:
        return [("retired", f"{item['name']} was retired")]
    if item["status"] == MAINTENANCE:
        return [("in_maintenance", f"{item['name']} is in maintenance")]
    return []


def missing(session):
    """What a session lacks altogether: a trainer, and a room when it happens in one."""
    lacking = []
    if not session.get("trainer_ids"):
        lacking.append(("trainer", "the session names no trainer"))
    if session.get("format") in IN_PERSON_FORMATS and not session.get("room_id") and not session.get("venue"):
        lacking.append(("room", f"a {session['format']} session needs a room or a venue"))
    return lacking


def as_date(day):
    return date.fromisoformat(day)


def overlaps_days(start, end, first_day, last_day):
    """Whether [start, end) (local times) touches any day from first_day to last_day inclusive."""
    return start.date() <= last_day and last_day_touched(start, end) >= first_day


def last_day_touched(start, end):
    """The local day of the session's last moment (a session ending at midnight ends the day before)."""
    return (end - timedelta(microseconds=1)).date() if end > start else start.date()


def within_working_hours(start, end, hours):
    """Every local day the session spans is a working day, and its part of that day lies within the hours."""
    opens, closes = time.fromisoformat(hours["start"]), time.fromisoformat(hours["end"])
    day = start.date()
    while day <= last_day_touched(start, end):
        day_start = datetime.combine(day, time(), start.tzinfo)
        part_start, part_end = max(start, day_start), min(end, day_start + timedelta(days=1))
        if day.isoweekday() not in hours["weekdays"]:
            return False
        if part_start.timetz().replace(tzinfo=None) < opens or part_end > datetime.combine(day, closes, start.tzinfo):
            return False
        day += timedelta(days=1)
    return True
