"""Delivery's collections and indexes."""
PLANS = "approved_plans"
SESSIONS = "sessions"
OUTBOX_COLLECTIONS = (SESSIONS,)


def ensure_indexes(db):
    db[PLANS].create_index([("year", 1), ("approved_at", -1)])
    db[SESSIONS].create_index([("starts_at", 1)])
    db[SESSIONS].create_index([("plan_id", 1)])
