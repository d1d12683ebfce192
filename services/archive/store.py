"""Archive's collections and indexes."""
LEARNERS = "learners"
PLAN_LOG = "plan_log"
OUTBOX_COLLECTIONS = (LEARNERS,)


def ensure_indexes(db):
    db[LEARNERS].create_index([("organisation", 1), ("last_name", 1)])
    db[LEARNERS].create_index([("email", 1)], unique=True)
    db[PLAN_LOG].create_index([("approved_at", -1)])
