"""The needs backlog: requests for training from every source, merged by topic and audience.

A need's id is derived from its topic, product and audience segment, so two requests for the
same thing land on the same document and raise its demand instead of duplicating it. Each
request carries a reference (a form submission, a CSV row, an event id); a reference already
counted is not counted again, which makes imports and event handlers safe to repeat.
"""
import hashlib
import math
import uuid
from collections import defaultdict

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict
from shared.events import utc_now
from shared.outbox import with_events
from shared.store import fetch

from services.planning.contract import URGENCIES
from services.planning.store import NEEDS

# Enough for a department's backlog; ranking happens in Python because the score depends on "now".
BACKLOG_SCAN_LIMIT = 5000
FORECAST_SOURCES = ("product_roadmap", "industry_trend")
# Each round of concurrent merges has a winner, so this many rounds serve as many requests at once
# (a service runs at most MAX_WORKERS, default 10, handlers at a time).
WRITE_ATTEMPTS = 25


def normalised(text):
    return " ".join((text or "").lower().split())


def merge_key(need):
    audience = need["audience"]
    return "|".join(normalised(part) for part in (need.get("product"), need["topic"], audience.get("user_type"),
                                                  audience.get("industry"), audience.get("level")))


def need_id(need):
    return "need-" + hashlib.sha256(merge_key(need).encode()).hexdigest()[:16]


def record_need(db, need, source, evidence, actor_id, new_event, reference=None):
    """Record one request for `need`; returns (need document, whether this request was new).

    Reads the need, then writes it guarded by its request count (optimistic concurrency), so the
    NeedRecorded event written with the change carries the true count.
    """
    reference = reference or uuid.uuid4().hex
    doc_id = need_id(need)
    for _ in range(WRITE_ATTEMPTS):
        now = utc_now()
        current = db[NEEDS].find_one({"_id": doc_id})
        if current is not None and reference in current["refs"]:
            return current, False
        requesters = (current["requesters"] if current else 0) + 1
        event = new_event("NeedRecorded.v1", doc_id, {
            "need_id": doc_id, "topic": need["topic"], "product": need.get("product"),
            "audience": need["audience"], "tier": current["tier"] if current else need["tier"],
            "flags": sorted(set(need["flags"]) | set(current["flags"] if current else ())),
            "urgency": URGENCIES[max(urgency_level(need["urgency"]), current["urgency_level"] if current else 0) - 1],
            "source": source, "requesters": requesters, "merged": current is not None})
        entry = {"source": source, "text": evidence, "by": actor_id, "at": now}
        if current is None:
            doc = {"_id": doc_id, "topic": need["topic"], "product": need.get("product"),
                   "audience": need["audience"], "tier": need["tier"], "flags": sorted(set(need["flags"])),
                   "urgency_level": urgency_level(need["urgency"]), "requesters": 1, "sources": [source],
                   "expected_quarter": need.get("expected_quarter"), "evidence": [entry], "refs": [reference],
                   "first_recorded_at": now, "last_recorded_at": now, "outbox": [event]}
            try:
                db[NEEDS].insert_one(doc)
                return doc, True
            except DuplicateKeyError:
                continue  # another request created it a moment ago: merge into it
        update = {"$set": {"last_recorded_at": now}, "$inc": {"requesters": 1},
                  "$max": {"urgency_level": urgency_level(need["urgency"])},
                  "$addToSet": {"sources": source, "refs": reference, "flags": {"$each": list(need["flags"])}},
                  "$push": {"evidence": entry}}
        if need.get("expected_quarter"):
            update["$min"] = {"expected_quarter": need["expected_quarter"]}  # "2026-Q2" < "2026-Q3"
        merged = db[NEEDS].find_one_and_update({"_id": doc_id, "requesters": current["requesters"]},
                                               with_events(update, event), return_document=ReturnDocument.AFTER)
        if merged is not None:
            return merged, True
    raise Conflict("the need is being updated by many requests at once; try again", {"need_id": doc_id})


def urgency_level(urgency):
    return URGENCIES.index(urgency) + 1


def get_need(db, need_id):
    return fetch(db[NEEDS], need_id, "need")


def priority(need, now):
    """Backlog score: urgency weighs most, demand grows with the log of requesters, and a need
    last heard of today earns 10 points that halve every 90 days of silence."""
    idle_days = max((now - need["last_recorded_at"]).total_seconds() / 86400, 0)
    return round(10 * need["urgency_level"] + 5 * math.log2(1 + need["requesters"]) + 10 * 0.5 ** (idle_days / 90), 2)


def backlog_query(source=None, tier=None, flag=None, product=None, user_type=None, industry=None, level=None):
    query = {"sources": source, "tier": tier, "flags": flag, "product": product, "audience.user_type": user_type,
             "audience.industry": industry, "audience.level": level}
    return {key: value for key, value in query.items() if value is not None}


def ranked_backlog(db, limit=20, offset=0, **filters):
    """(total, page of needs best first, each with its `score`)."""
    now = utc_now()
    needs = list(db[NEEDS].find(backlog_query(**filters), {"outbox": 0, "refs": 0}).limit(BACKLOG_SCAN_LIMIT))
    for need in needs:
        need["score"] = priority(need, now)
    needs.sort(key=lambda need: (-need["score"], need["_id"]))
    return len(needs), needs[offset:offset + limit]


def forecast(db):
    """Roadmap and trend needs by product and expected quarter, soonest first."""
    groups = defaultdict(lambda: {"needs": 0, "requesters": 0, "topics": []})
    for need in db[NEEDS].find({"sources": {"$in": list(FORECAST_SOURCES)}}).limit(BACKLOG_SCAN_LIMIT):
        group = groups[(need.get("product"), need.get("expected_quarter"))]
        group["needs"] += 1
        group["requesters"] += need["requesters"]
        group["topics"].append(need["topic"])
    entries = [dict(group, product=product, quarter=quarter, topics=sorted(group["topics"]))
               for (product, quarter), group in groups.items()]
    entries.sort(key=lambda entry: (entry["quarter"] or "9999", entry["product"] or ""))
    return {"entries": entries}


def all_needs(db):
    return list(db[NEEDS].find({}, {"outbox": 0, "refs": 0, "evidence": 0}).limit(BACKLOG_SCAN_LIMIT))
