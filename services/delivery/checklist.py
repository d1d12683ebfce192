"""The preparation checklist of a session, derived from its format, and the online platform's
stability test.

    every format      materials (and courseware), participants_confirmed, reminders_sent
    in person         venue, equipment          (ticked by ResourcesReserved.v1, or by hand)
    online            platform_test             (ticked only by a passing test of online_url)
    but on-site demos exercises (cases and exercises)

`reminders_sent` ticks itself when the reminders go out; every item but the platform test may
also be ticked by hand.
"""
import time

import requests

from shared.errors import Conflict, InvalidInput
from shared.store import fetch

from services.delivery.contract import CHECKLIST_ITEMS
from services.delivery.store import SESSIONS

FROM_RESOURCES = ("venue", "equipment")
ONLY_AUTOMATIC = ("platform_test",)
PREPARING = ("scheduled", "ready")


def items_for(format):
    items = {"materials", "participants_confirmed", "reminders_sent"}
    items |= {"platform_test"} if format == "online" else {"venue", "equipment"}
    if format != "on_site_demo":
        items.add("exercises")
    return [item for item in CHECKLIST_ITEMS if item in items]


def new_checklist(format):
    return {item: unticked() for item in items_for(format)}


def unticked():
    return {"done": False, "by": None, "at": None, "note": None}


def ticked(by, at, note=None):
    return {"done": True, "by": by, "at": at, "note": note}


def entries(session):
    return [dict(session["checklist"][item], item=item, automatic=item in FROM_RESOURCES + ONLY_AUTOMATIC
                 + ("reminders_sent",)) for item in CHECKLIST_ITEMS if item in session["checklist"]]


def missing(session):
    return [entry["item"] for entry in entries(session) if not entry["done"]]


def complete(session):
    return not missing(session)


def reset_for(session, changes):
    """Checklist items a reschedule undoes: bookings when time or place change, the platform test
    when the link changes, the reminders when the time changes."""
    undone = set()
    if set(changes) & {"starts_at", "ends_at", "room_id", "equipment_ids"}:
        undone |= set(FROM_RESOURCES)
    if "online_url" in changes:
        undone.add("platform_test")
    if "starts_at" in changes:
        undone.add("reminders_sent")
    return {f"checklist.{item}": unticked() for item in undone if item in session["checklist"]}


def tick(db, session, item, done, note, actor, now):
    if item not in session["checklist"]:
        raise InvalidInput(f"a {session['format']} session has no checklist item {item}",
                           {"fields": {"item": [f"one of {', '.join(session['checklist'])}"]}})
    if item in ONLY_AUTOMATIC:
        raise Conflict("the platform test ticks itself when it passes: run it", {"status": session["status"]})
    return set_item(db, session["_id"], item, ticked(actor["id"], now, note) if done else unticked(), now)


def set_item(db, session_id, item, value, now, **more):
    """Write one checklist item while the session is still being prepared."""
    updated = db[SESSIONS].find_one_and_update(
        {"_id": session_id, "status": {"$in": list(PREPARING)}, f"checklist.{item}": {"$exists": True}},
        {"$set": {f"checklist.{item}": value, "updated_at": now, **more}}, return_document=True)
    if updated is None:
        current = fetch(db[SESSIONS], session_id, "session")
        raise Conflict(f"the checklist of a {current['status'].replace('_', ' ')} session no longer changes",
                       {"status": current["status"], "session_id": session_id})
    return updated


def probe(url, timeout_seconds):
    """One real HTTP GET of the meeting or platform link: (reachable, status code, latency in ms, detail)."""
    started = time.perf_counter()
    try:
        response = requests.get(url, timeout=timeout_seconds, allow_redirects=True)
    except requests.RequestException as exc:
        return False, None, None, f"unreachable: {type(exc).__name__}"
    latency = round((time.perf_counter() - started) * 1000, 1)
    return response.status_code < 400, response.status_code, latency, f"HTTP {response.status_code}"


def test_platform(db, session, actor, now, timeout_seconds):
    """Run the stability test of an online session's link and record it; a pass ticks the item."""
    if "platform_test" not in session["checklist"]:
        raise Conflict("only online sessions have a platform test", {"status": session["status"]})
    if not session.get("online_url"):
        raise Conflict("the session has no online_url to test yet: reschedule it with one",
                       {"status": session["status"]})
    ok, status_code, latency, detail = probe(session["online_url"], timeout_seconds)
    result = {"url": session["online_url"], "ok": ok, "status_code": status_code, "latency_ms": latency,
              "detail": detail, "tested_by": actor["id"], "tested_at": now}
    item = ticked(actor["id"], now, f"{detail}, {latency} ms") if ok else unticked()
    return set_item(db, session["_id"], "platform_test", item, now, platform_test=result)


def resources_reserved(db, data, now):
    """ResourcesReserved.v1: every booking the session asked for holds; tick what it covers."""
    reserved = [dict(entry) for entry in data["reserved"]]
    booked = {"venue"} if any(entry["kind"] == "room" for entry in reserved) else set()
    booked |= {"equipment"} if any(entry["kind"] == "equipment" for entry in reserved) else set()
    session = db[SESSIONS].find_one({"_id": data["session_id"]})
    if session is None or session["starts_at"] != data["starts_at"]:
        return None  # an older booking of a session that moved since: resources books again
    items = {f"checklist.{item}": ticked("resources", now, "reserved") for item in booked
             if item in session["checklist"]}
    return db[SESSIONS].update_one(
        {"_id": session["_id"], "status": {"$in": list(PREPARING)}, "starts_at": data["starts_at"]},
        {"$set": {"resources_reserved": reserved, "resource_conflicts": [], "updated_at": now, **items}})


def resource_conflict(db, data, now):
    """ResourceConflictDetected.v1: flag the session with the reasons (and the free alternatives)."""
    conflicts = [dict(entry) for entry in data["conflicts"]]
    return db[SESSIONS].update_one(
        {"_id": data["session_id"], "status": {"$in": list(PREPARING)}, "starts_at": data["starts_at"]},
        {"$set": {"resource_conflicts": conflicts, "resource_alternatives": [dict(a) for a in data["alternatives"]],
                  "updated_at": now}})
