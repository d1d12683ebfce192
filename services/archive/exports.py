"""A learner's archive as CSV (one row per training record, result and certificate) and the
training records as xAPI 1.0.3 statements for a learning record store.

Statements name the learner by an account (the platform's home page and the learner id), never
by email, and have stable ids (UUID 5 of what they state), so sending them again to a record
store changes nothing there.
"""
import csv
import io
import uuid

from shared.events import rfc3339

from services.archive.store import RECORDS, RESULTS, between

CSV_COLUMNS = ("kind", "date", "title", "session_id", "format", "venue", "trainers", "enrolment", "attendance",
               "participation_score", "hours", "score", "passed", "method", "certificate_number", "expires_at")
XAPI_NAMESPACE = uuid.UUID("5f0c1c8e-3b8a-4c55-9d43-8d7e3f6f1a10")
VERBS = {name: {"id": f"http://adlnet.gov/expapi/verbs/{name}", "display": {"en-US": name}}
         for name in ("registered", "attended", "completed", "passed", "failed")}
MEETING = "http://adlnet.gov/expapi/activities/meeting"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"


def archive_csv(archive):
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in archive["records"]:
        writer.writerow({
            "kind": "training", "date": iso(record.get("starts_at")), "title": record.get("title"),
            "session_id": record["session_id"], "format": record.get("format"), "venue": record.get("venue"),
            "trainers": ";".join(record.get("trainer_ids") or []),
            "enrolment": (record.get("enrolment") or {}).get("status"),
            "attendance": (record.get("attendance") or {}).get("status"),
            "participation_score": (record.get("attendance") or {}).get("participation_score"),
            "hours": record["hours"]})
    for result in archive["results"]:
        writer.writerow({"kind": "result", "date": iso(result["graded_at"]), "title": result.get("title"),
                         "session_id": result.get("session_id"), "score": result["score"],
                         "passed": result["passed"], "method": result["method"]})
    for certificate in archive["certificates"]:
        writer.writerow({"kind": "certificate", "date": iso(certificate["issued_at"]), "title": certificate["title"],
                         "certificate_number": certificate["number"], "expires_at": certificate.get("expires_at")})
    return out.getvalue()


def iso(moment):
    return rfc3339(moment) if moment else None


# ---- xAPI ----------------------------------------------------------------------------------------

def statements(records, results, home_page):
    """Statements of what the records and results say, oldest first."""
    found = []
    for record in records:
        session = activity(home_page, "sessions", record["session_id"], record.get("title"), MEETING)
        enrolment = record.get("enrolment") or {}
        if enrolment.get("status") == "enrolled" and enrolment.get("at"):
            found.append(statement(home_page, record["learner_id"], "registered", session, enrolment["at"]))
        attendance = record.get("attendance") or {}
        if attendance.get("status") in ("present", "late"):
            found.append(statement(home_page, record["learner_id"], "attended", session,
                                   record.get("starts_at") or attendance["at"],
                                   instructors=record.get("trainer_ids") or []))
        if record["completed"]:
            found.append(statement(home_page, record["learner_id"], "completed", session,
                                   record.get("ends_at") or attendance["at"],
                                   result={"completion": True, "duration": f"PT{record['hours']}H"}))
    for result in results:
        exam = activity(home_page, "exams", result["exam_id"], result.get("title"), ASSESSMENT)
        found.append(statement(home_page, result["learner_id"], "passed" if result["passed"] else "failed", exam,
                               result["graded_at"], key=result["_id"],
                               result={"score": {"scaled": round(result["score"] / 100, 4), "raw": result["score"],
                                                 "min": 0, "max": 100},
                                       "success": result["passed"], "completion": True}))
    return sorted(found, key=lambda each: (each["timestamp"], each["id"]))


def statements_between(db, home_page, since=None, until=None):
    """Every record's and result's statements with a time in [since, until], oldest first."""
    records = db[RECORDS].find(between("starts_at", since, until))
    results = db[RESULTS].find(between("graded_at", since, until))
    return statements(records, results, home_page)


def activity(home_page, kind, object_id, title, activity_type):
    definition = {"type": activity_type, **({"name": {"en-US": title}} if title else {})}
    return {"objectType": "Activity", "id": f"{home_page.rstrip('/')}/{kind}/{object_id}", "definition": definition}


def agent(home_page, name):
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


def statement(home_page, learner_id, verb, target, moment, key=None, result=None, instructors=()):
    found = {
        "id": str(uuid.uuid5(XAPI_NAMESPACE, f"{learner_id}|{verb}|{target['id']}|{key or ''}")),
        "actor": agent(home_page, learner_id), "verb": VERBS[verb], "object": target, "timestamp": rfc3339(moment),
        "version": "1.0.3"}
    if result:
        found["result"] = result
    if instructors:
        found["context"] = {"instructor": agent(home_page, instructors[0])} if len(instructors) == 1 else {
            "instructor": {"objectType": "Group", "member": [agent(home_page, each) for each in instructors]}}
    return found
