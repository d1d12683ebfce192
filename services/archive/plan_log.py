"""The archive's log of approved plans, kept for later analysis of training history."""
from shared.events import utc_now
from shared.store import page

from services.archive.store import PLAN_LOG


def log_plan_approval(db, envelope, data):
    """One entry per event id: a replayed event rewrites the same entry."""
    db[PLAN_LOG].update_one(
        {"_id": envelope["id"]},
        {"$set": {"plan_id": data["plan_id"], "year": data["year"], "title": data["title"],
                  "revision": data["revision"], "approved_by": data["approved_by"],
                  "approved_at": data["approved_at"]},
         "$setOnInsert": {"recorded_at": utc_now()}},
        upsert=True)


def list_plan_log(db, limit=20, offset=0):
    return page(db[PLAN_LOG], {}, [("approved_at", -1), ("_id", 1)], limit, offset)
