"""Feedback's collections and indexes."""
QUESTIONNAIRES = "questionnaires"
RESPONSES = "responses"
OUTBOX_COLLECTIONS = (RESPONSES,)


def ensure_indexes(db):
    db[QUESTIONNAIRES].create_index([("starts_at", -1)])
    # One response per learner per session: a second submission fails on this index.
    db[RESPONSES].create_index([("session_id", 1), ("learner_id", 1)], unique=True)
    db[RESPONSES].create_index([("session_id", 1), ("submitted_at", 1)])
