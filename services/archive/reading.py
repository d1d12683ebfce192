"""Reading one learner's archive, in any form: each read checks who may read it and is audited
before the data leaves the service. Access is checked before existence, so guessing ids tells
a caller nothing."""
import base64
import re

from shared.errors import NotFound

from services.archive import audit, registry
from services.archive.exports import archive_csv, statements
from services.archive.history import archive_of, has_history
from services.archive.store import AUDIT
from services.archive.transcript import transcript_pdf

AUDIT_TRAIL_LIMIT = 1000


def read_learner(db, keyring, learner_id, caller, reason, now):
    why = audit.require_reader(db, caller, learner_id, "read_learner", now)
    learner = registry.get_learner(db, keyring, learner_id)
    audit.record(db, caller, "read_learner", learner_id, reason or why, now)
    return learner


def read_archive(db, keyring, learner_id, caller, reason, now, action="read_archive", details=None):
    why = audit.require_reader(db, caller, learner_id, action, now)
    learner = registry.find_learner(db, keyring, learner_id)
    if learner is None and not has_history(db, learner_id):
        raise NotFound(f"the archive holds nothing on learner {learner_id}", {"learner_id": learner_id})
    archive = dict(archive_of(db, learner_id, now.date()), learner=learner and registry.view(keyring, learner))
    audit.record(db, caller, action, learner_id, reason or why, now, details)
    return archive


def personal_data_export(db, keyring, learner_id, caller, reason, now):
    """Everything held on the learner, with the audit trail of who read or changed it."""
    archive = read_archive(db, keyring, learner_id, caller, reason, now, "export", {"format": "json"})
    trail = list(db[AUDIT].find({"learner_id": learner_id}).sort([("at", -1), ("_id", 1)]).limit(AUDIT_TRAIL_LIMIT))
    return dict(archive, exported_at=now, audit=trail)


def csv_export(db, keyring, learner_id, caller, reason, now):
    archive = read_archive(db, keyring, learner_id, caller, reason, now, "export", {"format": "csv"})
    return attachment(f"archive-{learner_id}.csv", "text/csv; charset=utf-8", archive_csv(archive).encode())


def transcript(db, keyring, learner_id, caller, reason, now, font_path=None):
    archive = read_archive(db, keyring, learner_id, caller, reason, now, "transcript")
    return attachment(f"transcript-{learner_id}.pdf", "application/pdf", transcript_pdf(archive, now.date(), font_path))


def learner_statements(db, keyring, learner_id, caller, reason, now, home_page):
    archive = read_archive(db, keyring, learner_id, caller, reason, now, "xapi")
    return statements(archive["records"], archive["results"], home_page)


def attachment(filename, content_type, content):
    return {"filename": re.sub(r"[^A-Za-z0-9._-]", "_", filename), "content_type": content_type, "content_base64": base64.b64encode(content).decode()}
