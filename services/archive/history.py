"""Learners' training histories, built from the other services' events.

Events may arrive in any order and more than once; the archive must end the same. So:

* A training record (one learner in one session) is never edited in place. Each event that
  bears on it is kept as a fact (one document per event and learner, keyed by the envelope id,
  inserted once), and the record is folded afresh from all its facts in time order
  (`fold`, a pure function). The fold is written only if it saw more facts than the stored
  record did, so a slower worker that folded fewer facts cannot overwrite a newer fold; the
  worker that inserted the last fact reads every fact and writes the final record.
* Results, certificates and feedback are one document per submission, certificate and response:
  the newest event (by its own time, then envelope id) replaces the document, an older or
  repeated one changes nothing.

Facts of a whole session (completed, rescheduled, cancelled) name no learner; each learner they
concern gets a learner fact of their own (attendance, enrolment ended), so erasing a learner
deletes exactly their facts.
"""
from datetime import date

from pymongo.errors import DuplicateKeyError

from shared.events import rfc3339

from services.archive.registry import learner_key
from services.archive.store import CERTIFICATES, FACTS, FEEDBACK, LEARNERS, RECORDS, RESULTS

ATTENDED = ("present", "late")
SESSION_DETAILS = ("title", "format", "topics", "plan_id", "starts_at", "ends_at", "venue", "trainer_ids")


def stamp(moment, envelope_id):
    """Orders facts: their time, then the envelope id, so equal times still fold one way."""
    return f"{rfc3339(moment)}|{envelope_id}"


def session_details(data, fields=SESSION_DETAILS):
    return {field: data[field] for field in fields if field in data}


# ---- facts from delivery's events -----------------------------------------------------------------

def learner_enrolled(db, keyring, envelope, data):
    fact = learner_fact(envelope, data["learner_id"], data["enrolled_at"], "enrolled",
                        {"from_waiting_list": data["from_waiting_list"]}, session_details(data))
    return apply_facts(db, keyring, data["session_id"], [fact])


def enrolment_cancelled(db, keyring, envelope, data):
    fact = learner_fact(envelope, data["learner_id"], data["cancelled_at"], "enrolment_cancelled",
                        {"reason": data["reason"]})
    return apply_facts(db, keyring, data["session_id"], [fact])


def attendance_recorded(db, keyring, envelope, data):
    fact = learner_fact(envelope, data["learner_id"], data["recorded_at"], "attendance",
                        {"status": data["status"], "participation_score": data.get("participation_score")})
    return apply_facts(db, keyring, data["session_id"], [fact])


def session_completed(db, keyring, envelope, data):
    facts = [session_fact(envelope, data["completed_at"], "session_completed", session_details(data))]
    facts += [learner_fact(envelope, attendee["learner_id"], data["completed_at"], "attendance",
                           {"status": attendee["status"], "participation_score": attendee.get("participation_score")})
              for attendee in data["attendance"]]
    return apply_facts(db, keyring, data["session_id"], facts)


def session_rescheduled(db, keyring, envelope, data):
    details = session_details(data, ("title", "starts_at", "ends_at", "venue", "trainer_ids"))
    return apply_facts(db, keyring, data["session_id"],
                       [session_fact(envelope, data["rescheduled_at"], "session_rescheduled", details)])


def session_cancelled(db, keyring, envelope, data):
    facts = [session_fact(envelope, data["cancelled_at"], "session_cancelled",
                          session_details(data, ("title", "starts_at")))]
    facts += [learner_fact(envelope, learner_id, data["cancelled_at"], "enrolment_cancelled",
                           {"reason": f"session cancelled: {data['reason']}"}) for learner_id in data["learner_ids"]]
    return apply_facts(db, keyring, data["session_id"], facts)


def exam_graded(db, keyring, envelope, data):
    """The result itself, and (for a session's exam) the session's result on the learner's record."""
    if is_erased(db, keyring, data["learner_id"]):
        return []
    result = {field: data.get(field) for field in (
        "exam_id", "learner_id", "session_id", "title", "score", "pass_score", "passed", "method", "attempt",
        "pre_test", "weak_topics", "graded_at")}
    keep_newest(db[RESULTS], dict(result, _id=data["submission_id"], submission_id=data["submission_id"],
                                  version=stamp(data["graded_at"], envelope["id"])))
    if data.get("session_id") and not data.get("pre_test"):
        fact = learner_fact(envelope, data["learner_id"], data["graded_at"], "graded",
                            {field: data[field] for field in ("exam_id", "score", "passed", "method", "graded_at")})
        apply_facts(db, keyring, data["session_id"], [fact])
    return [data["learner_id"]]


def certificate_issued(db, keyring, envelope, data):
    if is_erased(db, keyring, data["learner_id"]):
        return []
    expires_at = data.get("expires_at")
    keep_newest(db[CERTIFICATES], dict(
        {field: data.get(field) for field in ("certificate_id", "number", "learner_id", "exam_id", "title", "topic",
                                              "product", "issued_at")},
        _id=data["certificate_id"], expires_at=expires_at.isoformat() if isinstance(expires_at, date) else None,
        version=stamp(data["issued_at"], envelope["id"])))
    return [data["learner_id"]]


def feedback_submitted(db, keyring, envelope, data):
    """Feedback given under a learner's name; anonymous responses never name anyone here."""
    if data["anonymous"] or not data.get("learner_id") or is_erased(db, keyring, data["learner_id"]):
        return []
    keep_newest(db[FEEDBACK], dict(
        {field: data.get(field) for field in ("survey_id", "session_id", "learner_id", "respondent", "section_scores",
                                              "nps", "has_comment", "submitted_at")},
        _id=data["response_id"], response_id=data["response_id"],
        version=stamp(data["submitted_at"], envelope["id"])))
    return [data["learner_id"]]


def learner_fact(envelope, learner_id, moment, kind, values, session=None):
    return {"_id": f"{envelope['id']}:{learner_id}", "learner_id": learner_id, "kind": kind, "at": moment,
            "stamp": stamp(moment, envelope["id"]), "event_type": envelope["type"], "values": values,
            "session": session or {}}


def session_fact(envelope, moment, kind, session):
    return {"_id": envelope["id"], "learner_id": None, "kind": kind, "at": moment,
            "stamp": stamp(moment, envelope["id"]), "event_type": envelope["type"], "values": {},
            "session": session}


def apply_facts(db, keyring, session_id, facts):
    """Keep the facts (each once) and fold again every record they bear on; returns the learner
    ids whose archive changed. Facts about erased learners are dropped."""
    kept = [dict(fact, session_id=session_id) for fact in facts
            if fact["learner_id"] is None or not is_erased(db, keyring, fact["learner_id"])]
    for fact in kept:
        db[FACTS].update_one({"_id": fact["_id"]}, {"$setOnInsert": fact}, upsert=True)
    named = {fact["learner_id"] for fact in kept if fact["learner_id"]}
    if any(fact["learner_id"] is None for fact in kept):
        # A session fact bears on everyone the session's facts name, including facts that
        # arrived before it (each worker lists only after inserting its own facts).
        named |= set(db[FACTS].distinct("learner_id", {"session_id": session_id, "learner_id": {"$ne": None}}))
    for learner_id in sorted(named):
        refold(db, keyring, learner_id, session_id)
    return sorted(named)


def refold(db, keyring, learner_id, session_id):
    facts = list(db[FACTS].find({"session_id": session_id, "learner_id": {"$in": [learner_id, None]}}))
    record = fold(learner_id, session_id, facts)
    keep_newest(db[RECORDS], dict(record, _id=record_id(keyring, learner_id, session_id)))


def record_id(keyring, learner_id, session_id):
    return "rec-" + keyring.blind("record", f"{learner_id}\n{session_id}", normalise=False)[:32]


def fold(learner_id, session_id, facts):
    """A learner's record of a session from the facts about it, whatever order they came in."""
    record = {"learner_id": learner_id, "session_id": session_id, "title": None, "format": None, "topics": [],
              "plan_id": None, "starts_at": None, "ends_at": None, "venue": None, "trainer_ids": [],
              "session_status": "scheduled", "enrolment": None, "attendance": None, "result": None}
    for fact in sorted(facts, key=lambda fact: fact["stamp"]):
        record.update(fact["session"])
        kind, values, at = fact["kind"], fact["values"], fact["at"]
        if kind == "enrolled":
            record["enrolment"] = {"status": "enrolled", "at": at, "reason": None,
                                   "from_waiting_list": values["from_waiting_list"]}
        elif kind == "enrolment_cancelled":
            record["enrolment"] = {"status": "cancelled", "at": at, "reason": values["reason"],
                                   "from_waiting_list": None}
        elif kind == "attendance":
            record["attendance"] = dict(values, at=at)
        elif kind == "graded":
            record["result"] = values
        elif kind == "session_completed":
            record["session_status"] = "completed"
        elif kind == "session_cancelled":
            record["session_status"] = "cancelled"
    record["completed"] = (record["session_status"] == "completed" and record["attendance"] is not None
                           and record["attendance"]["status"] in ATTENDED
                           and (record["enrolment"] or {}).get("status") != "cancelled")
    record["hours"] = hours(record) if record["completed"] else 0.0
    record["version"] = len(facts)
    return record


def hours(record):
    if not (record["starts_at"] and record["ends_at"]):
        return 0.0
    return round(max((record["ends_at"] - record["starts_at"]).total_seconds(), 0) / 3600, 2)


def keep_newest(collection, doc):
    """Write `doc` unless the stored one has a version as new or newer (versions only grow)."""
    try:
        collection.replace_one({"_id": doc["_id"], "version": {"$lt": doc["version"]}}, doc, upsert=True)
    except DuplicateKeyError:
        pass  # the stored document is as new or newer


def is_erased(db, keyring, learner_id):
    return db[LEARNERS].count_documents({"_id": learner_key(keyring, learner_id), "status": "erased"}, limit=1) > 0


# ---- reading an archive ---------------------------------------------------------------------------

def archive_of(db, learner_id, today):
    """Everything the archive holds on a learner's training, newest first, with a summary."""
    records = list(db[RECORDS].find({"learner_id": learner_id}).sort([("starts_at", -1), ("_id", 1)]))
    results = list(db[RESULTS].find({"learner_id": learner_id}).sort([("graded_at", -1), ("_id", 1)]))
    certificates = list(db[CERTIFICATES].find({"learner_id": learner_id}).sort([("issued_at", -1), ("_id", 1)]))
    feedback = list(db[FEEDBACK].find({"learner_id": learner_id}).sort([("submitted_at", -1), ("_id", 1)]))
    summary = {
        "sessions_enrolled": sum(1 for record in records if (record["enrolment"] or {}).get("status") == "enrolled"),
        "sessions_completed": sum(1 for record in records if record["completed"]),
        "training_hours": round(sum(record["hours"] for record in records), 2),
        "results": sum(1 for result in results if not result.get("pre_test")),
        "passed": sum(1 for result in results if result["passed"] and not result.get("pre_test")),
        "certificates_valid": sum(1 for certificate in certificates if is_valid(certificate, today)),
    }
    return {"learner_id": learner_id, "summary": summary, "records": records, "results": results,
            "certificates": certificates, "feedback": feedback}


def has_history(db, learner_id):
    return any(db[collection].count_documents({"learner_id": learner_id}, limit=1)
               for collection in (RECORDS, RESULTS, CERTIFICATES, FEEDBACK))


def is_valid(certificate, today):
    return certificate.get("expires_at") is None or certificate["expires_at"] >= today.isoformat()
