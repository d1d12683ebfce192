"""LearnerErased.v1: what feedback holds on an erased learner is removed or pseudonymised.

  * named responses keep their scores (the statistics stay true) but lose the learner id and
    their open answers, which may name them;
  * exam results keep their scores under a pseudonym, so a pre/post pair still pairs up;
  * the learner leaves the attendee lists, the completed sessions and the respondents;
  * the supervisors and peers invited about them are deleted, with their addresses.

The pseudonym derives from the event id: a redelivered event finishes the same job the same way.
Anonymous responses hold no learner id, so there is nothing of the learner's to find in them.
"""
from services.feedback.store import EXAM_RESULTS, INVITATIONS, RESPONDENTS, RESPONSES, SESSIONS, SURVEYS


def erase_learner(db, learner_id, event_id):
    pseudonym = f"erased-{event_id[:12]}"
    for response in db[RESPONSES].find({"learner_id": learner_id}, {"answers": 1, "survey_id": 1}):
        survey = db[SURVEYS].find_one({"_id": response["survey_id"]}, {"questionnaire": 1})
        texts = {item["key"] for section in survey["questionnaire"]["sections"] for item in section["items"]
                 if item["type"] == "text"} if survey else set(response["answers"])
        db[RESPONSES].update_one({"_id": response["_id"]}, {
            "$set": {"learner_id": None, "erased": True,
                     "answers": {key: value for key, value in response["answers"].items() if key not in texts}}})
    db[EXAM_RESULTS].update_many({"learner_id": learner_id}, {"$set": {"learner_id": pseudonym}})
    db[SURVEYS].update_many({"attendees": learner_id}, {"$pull": {"attendees": learner_id}})
    db[SESSIONS].update_many({"attendees": learner_id}, {"$pull": {"attendees": learner_id}})
    db[RESPONDENTS].delete_many({"learner_id": learner_id})
    db[INVITATIONS].delete_many({"learner_id": learner_id})
