"""Planning's collections and indexes."""
PLANS = "plans"
OUTBOX_COLLECTIONS = (PLANS,)


def ensure_indexes(db):
    db[PLANS].create_index([("year", 1), ("status", 1)])
    db[PLANS].create_index([("updated_at", -1)])
