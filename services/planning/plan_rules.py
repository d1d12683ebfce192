"""Rules a plan's items must meet, as pure functions (no store, no clock: `today` is passed in).

Errors block creating, revising, submitting and publishing the plan:
  * every session falls within the plan year (and within the item's quarter, if it names one);
  * no session lies in the past;
  * sessions of important items are announced at least `min_notice_days` ahead (default 14,
    setting PLAN_MIN_NOTICE_DAYS), so a session closer than that cannot be published.
Warnings are kept on the plan for the approving manager, and block nothing:
  * a session that overlaps the audience's declared working hours. It is a warning, not an
    error, because some formats (an on-site demo at the customer's premises) can only happen
    then; the manager weighs it when approving.
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass
class Findings:
    errors: dict = field(default_factory=dict)  # {"items": {index: {field: [messages]}}}, like marshmallow's
    warnings: list = field(default_factory=list)  # [{"item_id", "rule", "message"}]

    def error(self, index, message, field="schedule"):
        self.errors.setdefault("items", {}).setdefault(index, {}).setdefault(field, []).append(message)

    def warn(self, item, rule, message):
        self.warnings.append({"item_id": item.get("item_id"), "rule": rule, "message": message})


def local_sessions(schedule):
    """(start, end) of each session as time-zone-aware local date-times."""
    if not schedule or not schedule.get("session_starts"):
        return []
    zone = ZoneInfo(schedule["timezone"])
    duration = timedelta(minutes=schedule["duration_minutes"])
    starts = sorted(datetime.fromisoformat(start).replace(tzinfo=zone) for start in schedule["session_starts"])
    return [(start, start + duration) for start in starts]


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def check_plan(year, items, today, min_notice_days):
    findings = Findings()
    for index, item in enumerate(items):
        for start, end in local_sessions(item.get("schedule")):
            check_session(findings, index, item, year, start, end, today, min_notice_days)
    return findings


def check_session(findings, index, item, year, start, end, today, min_notice_days):
    day = start.date()
    if day.year != year:
        findings.error(index, f"session on {day} is outside the plan year {year}")
    if item.get("quarter") and quarter_of(day) != item["quarter"]:
        findings.error(index, f"session on {day} is not in Q{item['quarter']}, the item's quarter")
    notice_days = (day - today).days
    if notice_days < 0:
        findings.error(index, f"session on {day} is in the past")
    elif item.get("important") and notice_days < min_notice_days:
        findings.error(index, f"session on {day} is an important item's and must be announced "
                              f"{min_notice_days} days ahead; it is only {notice_days} days away")
    hours = item.get("audience_working_hours")
    if hours and overlaps_working_hours(start, end, hours):
        findings.warn(item, "working_hours", f"session on {start:%Y-%m-%d %H:%M} overlaps the audience's "
                                             f"working hours ({hours['start']}-{hours['end']})")


def overlaps_working_hours(start, end, hours):
    """Whether [start, end) meets the working hours of any day it spans."""
    opens, closes = time.fromisoformat(hours["start"]), time.fromisoformat(hours["end"])
    day = start.date()
    while day <= end.date():
        if day.isoweekday() in hours["weekdays"]:
            work_start = datetime.combine(day, opens, start.tzinfo)
            work_end = datetime.combine(day, closes, start.tzinfo)
            if start < work_end and work_start < end:
                return True
        day += timedelta(days=1)
    return False
