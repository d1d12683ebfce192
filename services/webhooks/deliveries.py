"""Deliveries: one per subscription and event, signed, retried with backoff, parked after a limit.

An event becomes one delivery document per matching subscription, keyed by both ids, so a
redelivered event adds nothing. A delivery is sent by whoever claims it first (a conditional
update to "sending"); each attempt is logged on it. A 2xx answer delivers it; anything else
schedules the next attempt (BACKOFF_SECONDS) until WEBHOOK_MAX_ATTEMPTS, then it is parked for a
person to redrive. The body is the CloudEvents envelope as JSON; the Standard Webhooks headers
carry its id (the same on every retry, so receivers deduplicate), the time of the attempt and an
HMAC-SHA256 signature over both and the body.
"""
import json
from datetime import timedelta

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError
from standardwebhooks import Webhook

from shared.errors import Conflict
from shared.store import fetch, page

from services.webhooks.store import DELIVERIES
from services.webhooks.subscriptions import get_subscription, subscribers_of
from services.webhooks.targets import post, resolve

# Waits before the 2nd, 3rd, ... attempt; the last value repeats (WEBHOOK_BACKOFF_SECONDS).
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600)
# A delivery claimed this long ago and still "sending" was abandoned by a crash.
CLAIM_TIMEOUT = timedelta(minutes=5)


def fan_out(db, envelope, now):
    """A delivery for each active subscription to this event's type; returns their ids."""
    ids = []
    for subscription in subscribers_of(db, envelope["type"]):
        delivery_id = f"{subscription['_id']}:{envelope['id']}"
        try:
            db[DELIVERIES].insert_one({
                "_id": delivery_id, "subscription_id": subscription["_id"], "event_id": envelope["id"],
                "event_type": envelope["type"], "envelope": envelope, "status": "pending", "attempts": 0,
                "next_attempt_at": now, "log": [], "created_at": now, "delivered_at": None})
        except DuplicateKeyError:
            pass  # the same event again: its delivery exists already
        ids.append(delivery_id)
    return ids


def due(db, now, limit=100):
    """Deliveries whose next attempt is due, and those a crash left in "sending"."""
    query = {"$or": [{"status": {"$in": ["pending", "retrying"]}, "next_attempt_at": {"$lte": now}},
                     {"status": "sending", "claimed_at": {"$lt": now - CLAIM_TIMEOUT}}]}
    return [doc["_id"] for doc in db[DELIVERIES].find(query, {"_id": 1}).sort("next_attempt_at", 1).limit(limit)]


def attempt(db, delivery_id, now, policy, max_attempts, backoff=BACKOFF_SECONDS):
    """Send the delivery if this caller claims it; returns it as it ends up, or None if not ours."""
    claimed = db[DELIVERIES].find_one_and_update(
        {"_id": delivery_id, "$or": [{"status": {"$in": ["pending", "retrying"]}, "next_attempt_at": {"$lte": now}},
                                     {"status": "sending", "claimed_at": {"$lt": now - CLAIM_TIMEOUT}}]},
        {"$set": {"status": "sending", "claimed_at": now}}, return_document=ReturnDocument.AFTER)
    if claimed is None:
        return None
    subscription = get_subscription(db, claimed["subscription_id"])
    status_code, error, duration_ms = send(subscription, claimed["envelope"], now, policy)
    attempts = claimed["attempts"] + 1
    entry = {"at": now, "status_code": status_code, "error": error, "duration_ms": duration_ms}
    if status_code is not None and 200 <= status_code < 300:
        outcome = {"status": "delivered", "delivered_at": now, "next_attempt_at": None}
    elif attempts >= max_attempts:
        outcome = {"status": "parked", "next_attempt_at": None}
    else:
        wait = backoff[min(attempts - 1, len(backoff) - 1)]
        outcome = {"status": "retrying", "next_attempt_at": now + timedelta(seconds=wait)}
    return db[DELIVERIES].find_one_and_update(
        {"_id": delivery_id, "status": "sending", "claimed_at": now},
        {"$set": dict(outcome, attempts=attempts), "$push": {"log": entry}}, return_document=ReturnDocument.AFTER)


def send(subscription, envelope, now, policy):
    body = json.dumps(envelope, separators=(",", ":"))
    headers = {"Content-Type": "application/json", "User-Agent": "training-platform-webhooks",
               "webhook-id": envelope["id"], "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": Webhook(subscription["secret"]).sign(envelope["id"], now, body)}
    try:
        target = resolve(subscription["url"], policy)  # again: the name may point elsewhere by now
    except Exception as refusal:
        return None, str(refusal), 0
    return post(target, body.encode(), headers, policy)


def redrive(db, delivery_id, now):
    """A parked delivery goes out again now, with a fresh set of attempts."""
    delivery = fetch(db[DELIVERIES], delivery_id, "delivery")
    redriven = db[DELIVERIES].find_one_and_update(
        {"_id": delivery_id, "status": "parked"},
        {"$set": {"status": "retrying", "attempts": 0, "next_attempt_at": now, "redriven_at": now}},
        return_document=ReturnDocument.AFTER)
    if redriven is None:
        raise Conflict(f"delivery {delivery_id} is {delivery['status']}; only a parked delivery is redriven",
                       {"status": delivery["status"], "delivery_id": delivery_id})
    return redriven


def list_deliveries(db, subscription_id, status=None, limit=20, offset=0):
    get_subscription(db, subscription_id)
    query = {"subscription_id": subscription_id, **({"status": status} if status else {})}
    return page(db[DELIVERIES], query, [("created_at", -1), ("_id", 1)], limit, offset)


def get_delivery(db, delivery_id):
    return fetch(db[DELIVERIES], delivery_id, "delivery")
