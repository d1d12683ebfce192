"""Planning's collections and indexes."""
PLANS = "plans"
NEEDS = "needs"
NOTICES = "notices"
OUTBOX_COLLECTIONS = (PLANS, NEEDS)


def ensure_indexes(db):
    db[PLANS].create_index([("year", 1), ("status", 1)])
    db[PLANS].create_index([("updated_at", -1)])
    db[NEEDS].create_index([("last_recorded_at", -1)])
    db[NEEDS].create_index([("sources", 1)])
    db[NOTICES].create_index([("posted_at", -1)])
