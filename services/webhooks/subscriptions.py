"""Subscriptions: which events a company system wants, where, and the secret they are signed with."""
import base64
import secrets

from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.webhooks.contract import ALL_EVENTS
from services.webhooks.store import SUBSCRIPTIONS
from services.webhooks.targets import resolve

SUBSCRIPTION_STATES = StateMachine(SUBSCRIPTIONS, "subscription", {
    "pause": (("active",), "paused"),
    "resume": (("paused",), "active"),
})


def new_secret():
    """A Standard Webhooks signing secret: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def create_subscription(db, request, caller, policy, now):
    resolve(request["url"], policy)  # refuse a target that may not be used before storing it
    doc = dict(request, _id=new_id("subscription"), event_types=sorted(set(request["event_types"])),
               status="active", secret=new_secret(), created_by=caller["id"], created_at=now, updated_at=now)
    db[SUBSCRIPTIONS].insert_one(doc)
    return doc


def get_subscription(db, subscription_id):
    return fetch(db[SUBSCRIPTIONS], subscription_id, "subscription")


def list_subscriptions(db, status=None, limit=20, offset=0):
    return page(db[SUBSCRIPTIONS], {"status": status} if status else {}, [("created_at", -1), ("_id", 1)],
                limit, offset)


def change_status(db, subscription_id, action, now):
    return SUBSCRIPTION_STATES.apply(db, get_subscription(db, subscription_id), action, now=now)


def subscribers_of(db, event_type):
    return list(db[SUBSCRIPTIONS].find({"status": "active", "event_types": {"$in": [event_type, ALL_EVENTS]}}))
