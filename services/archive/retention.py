"""Retention: training history and audit entries are kept for a configured number of days.

ARCHIVE_RECORD_RETENTION_DAYS (default 3650) bounds records (by session start) with the facts
behind them, results, feedback and certificates (once expired, or issued, if they never expire);
ARCHIVE_AUDIT_RETENTION_DAYS (default 3650) bounds the audit log. A singleton timer applies them.
"""
from datetime import timedelta

from services.archive.store import AUDIT, CERTIFICATES, FACTS, FEEDBACK, RECORDS, RESULTS

RECORD_RETENTION_DAYS = 3650
AUDIT_RETENTION_DAYS = 3650


def apply_retention(db, now, record_days=RECORD_RETENTION_DAYS, audit_days=AUDIT_RETENTION_DAYS):
    """Delete what is older than its retention period; returns the counts per collection."""
    cutoff = now - timedelta(days=record_days)
    # A session's facts go with its records: a record folded again from some of its facts only
    # would count fewer facts than the stored one and never be written.
    old_sessions = db[RECORDS].distinct("session_id", {"starts_at": {"$lt": cutoff}})
    removed = {FACTS: db[FACTS].delete_many({"session_id": {"$in": old_sessions}}).deleted_count}
    removed.update({collection: db[collection].delete_many({field: {"$lt": cutoff}}).deleted_count
                    for collection, field in ((RECORDS, "starts_at"), (RESULTS, "graded_at"),
                                              (FEEDBACK, "submitted_at"))})
    removed[CERTIFICATES] = db[CERTIFICATES].delete_many({"$or": [
        {"expires_at": {"$lt": cutoff.date().isoformat()}},
        {"expires_at": None, "issued_at": {"$lt": cutoff}}]}).deleted_count
    removed[AUDIT] = db[AUDIT].delete_many({"at": {"$lt": now - timedelta(days=audit_days)}}).deleted_count
    return removed
