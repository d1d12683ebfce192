"""Assessment's collections and indexes."""
EXAMS = "exams"
SUBMISSIONS = "submissions"
OUTBOX_COLLECTIONS = (EXAMS, SUBMISSIONS)


def ensure_indexes(db):
    db[EXAMS].create_index([("session_id", 1), ("created_at", -1)])
    db[EXAMS].create_index([("status", 1), ("created_at", -1)])
    # One submission per learner per exam: a second one fails on this index, atomically.
    db[SUBMISSIONS].create_index([("exam_id", 1), ("learner_id", 1)], unique=True)
    db[SUBMISSIONS].create_index([("exam_id", 1), ("graded_at", 1)])
