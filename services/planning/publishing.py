"""Publishing an approved plan: the state change with PlanPublished.v1, then the announcement.

Publishing is one atomic write (status, publication record, event). The announcement goes out
afterwards, when planning's own handler receives PlanPublished.v1: the API answers at once, a
slow or failing channel holds up nobody, and the handler's retries and dead-lettering cover a
crash midway. Each channel is claimed before it is sent (shared.claims) and its outcome recorded
on the plan, so a repeated or concurrent announcement reaches no one twice.
"""
from datetime import timedelta, timezone

from shared.claims import SENDING, send_once
from shared.errors import Conflict
from shared.events import utc_now
from shared.notifications import FAILED, Message
from shared.store import page

from services.planning.plan_rules import check_plan, local_sessions
from services.planning.plans import get_plan, plan_ref, require_state, transition
from services.planning.store import NOTICES, PLANS

MAX_ANNOUNCEMENT_ROUNDS = 5
# A channel claimed this long ago and still "sending" was abandoned by a crash: send it again.
CLAIM_TIMEOUT = timedelta(minutes=10)


def publish_plan(db, plan_id, request, actor, new_event, today, min_notice_days):
    plan = get_plan(db, plan_id)
    require_state(plan, "publish")
    findings = check_plan(plan["year"], plan["items"], today, min_notice_days)
    if findings.errors:
        raise Conflict("the plan no longer meets the planning rules (time has passed since its approval); "
                       "revise it", {"status": plan["status"], "fields": findings.errors})
    now = utc_now()
    event = new_event("PlanPublished.v1", plan_id, dict(
        plan_ref(plan), published_by=actor["id"], published_at=now, channels=request["channels"],
        items=[published_item(item) for item in plan["items"]]))
    publication = {"by": actor["id"], "at": now, "channels": request["channels"], "note": request["note"],
                   "recipients": {"email": request["email_to"], "sms": request["sms_to"]}, "deliveries": {}}
    offering = {"revision": plan["revision"], "title": plan["title"], "goals": plan["goals"], "items": plan["items"],
                "published_at": now}
    return transition(db, plan, "publish", actor, event, now=now,
                      changes={"publication": publication, "offering": offering})


def published_item(item):
    schedule = item.get("schedule") or {}
    return {
        "item_id": item["item_id"], "title": item["title"], "objectives": item["objectives"],
        "format": item["format"], "audience": item["audience"], "tier": item["tier"], "topics": item["topics"],
        "capacity": item["capacity"], "trainers_wanted": item["trainers_wanted"], "important": item["important"],
        "schedule": {"quarter": item["quarter"], "timezone": schedule.get("timezone"),
                     "duration_minutes": schedule.get("duration_minutes"),
                     "sessions": [{"starts_at": start.astimezone(timezone.utc), "ends_at": end.astimezone(timezone.utc)}
                                  for start, end in local_sessions(schedule)]},
    }


def retry_failed_announcements(db, notifier, now):
    """Send again what failed (or was abandoned mid-send) on published plans, a bounded number
    of rounds; returns the plan ids.

    A channel that is still failing after MAX_ANNOUNCEMENT_ROUNDS stays reported as failed on the
    plan, for a person to look at.
    """
    retried = []
    for plan in db[PLANS].find({"status": "published"}):
        publication = plan["publication"]
        unsent = [channel for channel, delivery in publication["deliveries"].items()
                  if delivery["status"] == FAILED
                  or (delivery["status"] == SENDING and delivery["claimed_at"] < now - CLAIM_TIMEOUT)]
        if unsent and publication.get("retry_rounds", 0) < MAX_ANNOUNCEMENT_ROUNDS:
            db[PLANS].update_one({"_id": plan["_id"]}, {"$inc": {"publication.retry_rounds": 1}})
            announce(db, plan["_id"], plan["revision"], notifier, now)
            retried.append(plan["_id"])
    return retried


def announce(db, plan_id, revision, notifier, now):
    """Send the publication of `revision` through each requested channel that nobody has sent or
    is sending; record every outcome. A later revision announces itself."""
    plan = get_plan(db, plan_id)
    if plan["status"] != "published" or plan["revision"] != revision:
        return plan
    message = announcement(plan)
    for channel in plan["publication"]["channels"]:
        send_once(db[PLANS], plan_id, f"publication.deliveries.{channel}",
                  lambda: notifier.send(channel, message).as_dict(), now, CLAIM_TIMEOUT,
                  guard={"revision": revision, "status": "published"})
    return get_plan(db, plan_id)


def announcement(plan):
    lines = [plan["publication"]["note"], ""] if plan["publication"]["note"] else []
    update = plan["revision"] > 1 and any(entry["action"] == "published" and entry["revision"] < plan["revision"]
                                          for entry in plan["history"])
    intro = "Our training plan has changed" if update else "Our training plan"
    lines += [f"{intro} for {plan['year']}: {plan['title']}", ""]
    lines += [f"Goal: {goal}" for goal in plan["goals"]]
    lines += [""] + [f"- {item['title']} ({item['format'].replace('_', ' ')}, for {item['audience']}): {when(item)}"
                     for item in plan["items"]]
    subject = f"Training plan {plan['year']}: {plan['title']}" + (" (updated)" if update else "")
    return Message(subject=subject, text="\n".join(lines).strip() + "\n",
                   recipients=plan["publication"]["recipients"], reference=plan["_id"],
                   id=f"{plan['_id']}-r{plan['revision']}")


def when(item):
    sessions = local_sessions(item.get("schedule"))
    if sessions:
        return ", ".join(f"{start:%Y-%m-%d %H:%M}" for start, _ in sessions) + f" ({item['schedule']['timezone']})"
    return f"Q{item['quarter']}" if item.get("quarter") else "dates to be announced"


def list_notices(db, limit=20, offset=0):
    return page(db[NOTICES], {}, [("posted_at", -1), ("_id", 1)], limit, offset)
