"""Delivery's collections and indexes."""
PLANS = "approved_plans"
PLAN_SCHEDULES = "plan_schedules"  # the newest published revision applied per plan
SESSIONS = "sessions"
ENROLMENTS = "enrolments"
LEARNERS = "learners"
INTERACTIONS = "interactions"
NOTICES = "notices"
CALENDAR_LINKS = "calendar_links"  # secret feed links for calendar programs, one per person and kind
OUTBOX_COLLECTIONS = (SESSIONS, ENROLMENTS)


def ensure_indexes(db):
    db[PLANS].create_index([("year", 1), ("approved_at", -1)])
    db[SESSIONS].create_index([("starts_at", 1)])
    db[SESSIONS].create_index([("plan_id", 1), ("plan_revision", 1)])
    db[SESSIONS].create_index([("trainer_ids", 1)])
    db[SESSIONS].create_index([("status", 1), ("starts_at", 1)])
    # One enrolment per learner and session, whatever happens to it later.
    db[ENROLMENTS].create_index([("session_id", 1), ("learner_id", 1)], unique=True)
    db[ENROLMENTS].create_index([("learner_id", 1), ("status", 1)])
    db[INTERACTIONS].create_index([("session_id", 1), ("at", 1)])
    db[INTERACTIONS].create_index([("learner_id", 1)])
    db[CALENDAR_LINKS].create_index([("key_hash", 1)], unique=True)
