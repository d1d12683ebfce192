"""Feedback's collections and indexes; the standard questionnaires are installed at start."""
from services.feedback.standard import STANDARD_QUESTIONNAIRES

QUESTIONNAIRES = "questionnaires"
SESSIONS = "sessions"  # completed sessions as delivery reported them: course, trainers, attendees
SURVEYS = "surveys"
RESPONSES = "responses"
# Who has answered which survey, one document per (survey, learner), kept apart from the
# answers: no field links a respondent to a response, so anonymous answers stay anonymous.
RESPONDENTS = "respondents"
INVITATIONS = "invitations"  # supervisors and peers asked to answer a follow-up
EXAM_RESULTS = "exam_results"
INDICATORS = "indicators"
EVALUATIONS = "evaluations"
IMPROVEMENT_ACTIONS = "improvement_actions"
NOTICES = "notices"
OUTBOX_COLLECTIONS = (RESPONSES, EVALUATIONS, IMPROVEMENT_ACTIONS)
# The first release's one-response-per-(session, learner) index: anonymous responses (no learner
# id) of one session would collide on it. One answer per learner is the respondents' index now.
RETIRED_INDEXES = {RESPONSES: ("session_id_1_learner_id_1",)}


def ensure_indexes(db):
    for collection, names in RETIRED_INDEXES.items():
        for name in set(names) & set(db[collection].index_information()):
            db[collection].drop_index(name)
    db[QUESTIONNAIRES].create_index([("created_at", -1)])
    db[SESSIONS].create_index([("course", 1), ("starts_at", 1)])
    db[SURVEYS].create_index([("status", 1), ("closes_at", 1)])
    db[SURVEYS].create_index([("course", 1), ("opens_at", 1)])
    db[SURVEYS].create_index([("attendees", 1)])
    db[RESPONSES].create_index([("survey_id", 1)])
    db[RESPONSES].create_index([("learner_id", 1)])
    db[RESPONDENTS].create_index([("survey_id", 1), ("learner_id", 1)], unique=True)
    db[INVITATIONS].create_index([("token_hash", 1)])
    db[INVITATIONS].create_index([("survey_id", 1), ("learner_id", 1)])
    db[EXAM_RESULTS].create_index([("session_id", 1)])
    db[EXAM_RESULTS].create_index([("learner_id", 1)])
    db[INDICATORS].create_index([("course", 1)])
    db[EVALUATIONS].create_index([("created_at", -1)])
    db[IMPROVEMENT_ACTIONS].create_index([("raised_at", -1)])
    db[NOTICES].create_index([("posted_at", -1)])
    for questionnaire in STANDARD_QUESTIONNAIRES:
        db[QUESTIONNAIRES].update_one({"_id": questionnaire["_id"]},
                                      {"$set": questionnaire, "$setOnInsert": {"created_by": None, "created_at": None}},
                                      upsert=True)
