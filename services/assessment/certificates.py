"""Certificates: passing a certifying assessment issues one (CertificateIssued.v1), valid for the
assessment's number of months; a daily timer announces those expiring within a window
(CertificateExpiring.v1), once each.

Issued by assessment's own handler of ExamGraded.v1, at most one per assessment and learner (a
unique index): a redelivered event, or a second passing attempt, issues nothing twice. Expiry
dates are ISO dates (YYYY-MM-DD), which compare as strings.
"""
import calendar
from datetime import date, timedelta

from pymongo.errors import DuplicateKeyError

from shared.identity import is_staff
from shared.outbox import with_events
from shared.store import fetch, new_id, next_in_sequence, page

from services.assessment.access import own_record
from services.assessment.store import CERTIFICATES


def issue_for_result(db, graded, exam, now, new_event):
    """The certificate a released result earns (None if it earns none)."""
    rule = exam["certificate"]
    if not rule or not graded["passed"] or graded["pre_test"]:
        return None
    key = {"exam_id": exam["_id"], "learner_id": graded["learner_id"]}
    existing = db[CERTIFICATES].find_one(key)
    if existing:
        return existing
    certificate_id = new_id("certificate")
    number = f"CERT-{now.year}-{next_in_sequence(db, f'certificates-{now.year}'):05d}"
    expires_on = add_months(now.date(), rule["valid_months"]) if rule["valid_months"] else None
    event = new_event("CertificateIssued.v1", certificate_id, {
        "certificate_id": certificate_id, "number": number, "learner_id": graded["learner_id"],
        "exam_id": exam["_id"], "title": exam["title"], "topic": rule["topic"], "product": rule["product"],
        "issued_at": now, "expires_at": expires_on})
    doc = dict(key, _id=certificate_id, number=number, result_id=graded["submission_id"], title=exam["title"],
               topic=rule["topic"], product=rule["product"], score=graded["score"], issued_at=now,
               expires_at=expires_on.isoformat() if expires_on else None, expiry_announced_at=None, outbox=[event])
    try:
        db[CERTIFICATES].insert_one(doc)
    except DuplicateKeyError:  # issued a moment ago by a redelivery
        return db[CERTIFICATES].find_one(key)
    return doc


def add_months(day, months):
    """The same day `months` later (the month's last day if it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def announce_expiring(db, today, window_days, now, new_event):
    """Announce each certificate that expires between today and `window_days` from now, once;
    returns the ids announced."""
    announced = []
    horizon = (today + timedelta(days=window_days)).isoformat()
    for certificate in db[CERTIFICATES].find({"expires_at": {"$gte": today.isoformat(), "$lte": horizon},
                                              "expiry_announced_at": None}):
        event = new_event("CertificateExpiring.v1", certificate["_id"], {
            "certificate_id": certificate["_id"], "learner_id": certificate["learner_id"],
            "topic": certificate["topic"], "product": certificate["product"],
            "expires_at": date.fromisoformat(certificate["expires_at"])})
        result = db[CERTIFICATES].update_one({"_id": certificate["_id"], "expiry_announced_at": None},
                                             with_events({"$set": {"expiry_announced_at": now}}, event))
        if result.modified_count:
            announced.append(certificate["_id"])
    return announced


def certificate_for(db, certificate_id, actor):
    return own_record(fetch(db[CERTIFICATES], certificate_id, "certificate"), actor, "certificate")


def list_certificates(db, actor, today, learner_id=None, exam_id=None, expiring_within_days=None, limit=20,
                      offset=0):
    if not is_staff(actor):
        learner_id = actor["id"]
    query = {key: value for key, value in (("learner_id", learner_id), ("exam_id", exam_id)) if value is not None}
    if expiring_within_days is not None:
        query["expires_at"] = {"$gte": today.isoformat(),
                               "$lte": (today + timedelta(days=expiring_within_days)).isoformat()}
    return page(db[CERTIFICATES], query, [("issued_at", -1), ("_id", 1)], limit, offset)
