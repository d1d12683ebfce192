"""Approved plans as delivery knows them: the items it will prepare sessions for."""
from pymongo.errors import DuplicateKeyError

from shared.events import utc_now
from shared.store import fetch, page

from services.delivery.store import PLANS


def record_approved_plan(db, data):
    """Keep the newest approved revision of each plan.

    Written only over an older revision (or none): replaying the event rewrites the same values,
    and an older revision redriven later finds a newer one and changes nothing.
    """
    try:
        db[PLANS].update_one(
            {"_id": data["plan_id"], "revision": {"$lte": data["revision"]}},
            {"$set": {"year": data["year"], "title": data["title"], "revision": data["revision"],
                      "approved_by": data["approved_by"], "approved_at": data["approved_at"],
                      "items": data["items"]},
             "$setOnInsert": {"recorded_at": utc_now()}},
            upsert=True)
    except DuplicateKeyError:
        pass  # the plan is kept at a newer revision: the upsert found no older one to replace


def list_approved_plans(db, limit=20, offset=0):
    return page(db[PLANS], {}, [("approved_at", -1), ("_id", 1)], limit, offset)


def get_approved_plan(db, plan_id):
    return fetch(db[PLANS], plan_id, "plan")
