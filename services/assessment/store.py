"""Assessment's collections and indexes."""
QUESTIONS = "questions"
EXAMS = "exams"
ATTEMPTS = "attempts"  # every attempt, hand-in and entered result; graded ones are results
SESSIONS = "sessions"  # attendees and trainers of completed sessions (SessionCompleted.v1)
REMEDIATIONS = "remediations"
CERTIFICATES = "certificates"
AWARDS = "awards"
OUTBOX_COLLECTIONS = (EXAMS, ATTEMPTS, REMEDIATIONS, CERTIFICATES)


def ensure_indexes(db):
    db[QUESTIONS].create_index([("topic", 1), ("difficulty", 1), ("status", 1)])
    db[EXAMS].create_index([("session_id", 1), ("created_at", -1)])
    db[EXAMS].create_index([("learner_ids", 1)])
    # A learner's n-th attempt at an exam exists once: concurrent starts collide here.
    db[ATTEMPTS].create_index([("exam_id", 1), ("learner_id", 1), ("number", 1)], unique=True)
    db[ATTEMPTS].create_index([("status", 1), ("deadline", 1)])
    db[ATTEMPTS].create_index([("session_id", 1)])
    db[REMEDIATIONS].create_index([("result_id", 1)], unique=True)  # one per released result
    db[REMEDIATIONS].create_index([("learner_id", 1), ("status", 1)])
    db[CERTIFICATES].create_index([("exam_id", 1), ("learner_id", 1)], unique=True)  # one per exam and learner
    db[CERTIFICATES].create_index([("expires_at", 1)])
    db[AWARDS].create_index([("exam_id", 1), ("learner_id", 1)], unique=True)
