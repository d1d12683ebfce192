"""archive: one privacy-protected training archive per learner. Entrypoints only."""
import logging

from nameko.dependency_providers import Config

from shared.config import setting
from shared.errors import validated
from shared.events import utc_now
from shared.identity import STAFF_ROLES
from shared.schemas import PageQuerySchema, instance
from shared.shell import Events, PlatformService, Store, handles, rpc, singleton_timer

from services.archive import analytics, audit, erasure, exports, history, plan_log, reading, registry, retention, \
    retrieval, store
from services.archive.contract import (AnalyticsQuerySchema, AnalyticsSchema, ArchiveSchema, AuditPageSchema,
                                       AuditQuerySchema, ContactListSchema, ContactQuerySchema, ErasureRequestSchema,
                                       ErasureSchema, FileSchema, LearnerCreateSchema, LearnerImportSchema,
                                       LearnerPageSchema, LearnerQuerySchema, LearnerSchema, LearnerUpdateSchema,
                                       PersonalDataExportSchema, PlanLogPageSchema, ReadQuerySchema,
                                       SearchQuerySchema, SearchResultSchema, StatementListSchema,
                                       StatementPageSchema, StatementQuerySchema)
from services.archive.keyring import keyring

log = logging.getLogger(__name__)

REGISTRARS = ("supervisor", "specialist")
READ_ALL = ("supervisor", "auditor")
SEARCHERS = READ_ALL + ("trainer",)
ANALYSTS = READ_ALL + ("manager", "specialist")
AUDITORS = ("auditor",)
ERASERS = ("supervisor",)


class ArchiveService(PlatformService):
    name = "archive"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    config = Config()

    # ---- the registry ----

    @rpc
    def register_learner(self, payload):
        caller = self.caller.require(*REGISTRARS)
        details = validated(LearnerCreateSchema, payload)
        learner = registry.register_learner(self.db, self._keyring(), details, caller, utc_now(), self.events.new)
        audit.record(self.db, caller, "register", learner["learner_id"], None, learner["registered_at"])
        return instance(LearnerSchema).dump(learner)

    @rpc
    def import_learners(self, csv_text):
        caller = self.caller.require(*REGISTRARS)
        now = utc_now()
        learner_ids = registry.import_learners(self.db, self._keyring(), csv_text, caller, now, self.events.new)
        audit.record(self.db, caller, "import", None, None, now, {"learners": len(learner_ids)})
        return instance(LearnerImportSchema).dump({"imported": len(learner_ids), "learner_ids": learner_ids})

    @rpc
    def get_learner(self, learner_id, query=None):
        caller = self.caller.require()
        reason = validated(ReadQuerySchema, query or {})["reason"]
        return instance(LearnerSchema).dump(reading.read_learner(self.db, self._keyring(), learner_id, caller, reason,
                                                                 utc_now()))

    @rpc
    def update_learner(self, learner_id, payload):
        caller = self.caller.require(*REGISTRARS)
        request = validated(LearnerUpdateSchema, payload)
        now = utc_now()
        learner = registry.update_learner(self.db, self._keyring(), learner_id, request["changes"], caller, now)
        audit.record(self.db, caller, "update", learner_id, request["reason"], now,
                     {"fields": sorted(request["changes"])})
        return instance(LearnerSchema).dump(learner)

    @rpc
    def list_learners(self, query=None):
        caller = self.caller.require(*READ_ALL)
        query = validated(LearnerQuerySchema, query or {})
        reason = query.pop("reason")
        total, items = registry.list_learners(self.db, self._keyring(), **query)
        audit.record(self.db, caller, "list_learners", None, reason, utc_now(),
                     {"filters": {key: value for key, value in query.items() if value is not None}, "shown": len(items)})
        return instance(LearnerPageSchema).dump({"total": total, "items": items})

    @rpc
    def contact_details(self, query):
        """Other services resolve whom to send a message to; only services may ask."""
        self.caller.require_service()
        learner_ids = validated(ContactQuerySchema, query)["learner_ids"]
        return instance(ContactListSchema).dump({"items": registry.contacts(self.db, self._keyring(), learner_ids)})

    @rpc
    def erase_learner(self, learner_id, payload):
        caller = self.caller.require(*ERASERS)
        reason = validated(ErasureRequestSchema, payload)["reason"]
        return instance(ErasureSchema).dump(erasure.erase_learner(self.db, self._keyring(), learner_id, caller, reason,
                                                                  self.events.new, utc_now()))

    @handles("archive", "LearnerErased.v1", consumer="forget-erased-learners")
    def on_learner_erased(self, envelope, data):
        erasure.honour_erasure(self.db, self._keyring(), data["learner_id"], utc_now())

    # ---- one learner's archive ----

    @rpc
    def get_archive(self, learner_id, query=None):
        caller, reason = self._reader(query)
        return instance(ArchiveSchema).dump(reading.read_archive(self.db, self._keyring(), learner_id, caller, reason,
                                                                 utc_now()))

    @rpc
    def export_archive(self, learner_id, query=None):
        caller, reason = self._reader(query)
        return instance(PersonalDataExportSchema).dump(
            reading.personal_data_export(self.db, self._keyring(), learner_id,
                                         caller, reason, utc_now()))

    @rpc
    def export_archive_csv(self, learner_id, query=None):
        caller, reason = self._reader(query)
        return instance(FileSchema).dump(
            reading.csv_export(self.db, self._keyring(), learner_id, caller, reason, utc_now()))

    @rpc
    def transcript(self, learner_id, query=None):
        caller, reason = self._reader(query)
        return instance(FileSchema).dump(
            reading.transcript(self.db, self._keyring(), learner_id, caller, reason, utc_now(),
                               setting(self.config, "TRANSCRIPT_FONT", default="")))

    @rpc
    def learner_statements(self, learner_id, query=None):
        caller, reason = self._reader(query)
        found = reading.learner_statements(self.db, self._keyring(), learner_id, caller, reason, utc_now(),
                                           self._xapi_home())
        return instance(StatementListSchema).dump({"statements": found})

    # ---- retrieval, analytics, audit ----

    @rpc
    def search_records(self, query=None):
        caller = self.caller.require(*SEARCHERS)
        query = validated(SearchQuerySchema, query or {})
        total, items, classes = retrieval.search(self.db, self._keyring(), query, caller)
        audit.record(self.db, caller, "search", query["learner_id"], query["reason"], utc_now(),
                     {"filters": audit.filters(query), "total": total})
        return instance(SearchResultSchema).dump({"total": total, "items": items, "classified_by": query["classify_by"],
                                                  "classes": classes})

    @rpc
    def analytics(self, query=None):
        caller = self.caller.require(*ANALYSTS)
        query = validated(AnalyticsQuerySchema, query or {})
        now = utc_now()
        include_learners = bool(set(caller["roles"]) & set(audit.READ_ALL))
        report = analytics.analytics(self.db, query, now.date(), include_learners)
        audit.record(self.db, caller, "analytics", None, None, now, {"filters": audit.filters(query)})
        return instance(AnalyticsSchema).dump(report)

    @rpc
    def list_statements(self, query=None):
        """xAPI statements of every learner's training in a time range, for a learning record store."""
        caller = self.caller.require(*READ_ALL)
        query = validated(StatementQuerySchema, query or {})
        found = exports.statements_between(self.db, self._xapi_home(), query["since"], query["until"])
        items = found[query["offset"]:query["offset"] + query["limit"]]
        audit.record(self.db, caller, "xapi", None, query["reason"], utc_now(),
                     {"filters": audit.filters(query), "shown": len(items)})
        return instance(StatementPageSchema).dump({"total": len(found), "items": items})

    @rpc
    def list_audit(self, query=None):
        self.caller.require(*AUDITORS)
        total, items = audit.list_entries(self.db, **validated(AuditQuerySchema, query or {}))
        return instance(AuditPageSchema).dump({"total": total, "items": items})

    @singleton_timer(setting(None, "ARCHIVE_RETENTION_INTERVAL_SECONDS", float, default=86400))
    def apply_retention(self):
        removed = retention.apply_retention(
            self.db, utc_now(),
            setting(self.config, "ARCHIVE_RECORD_RETENTION_DAYS", int, default=retention.RECORD_RETENTION_DAYS),
            setting(self.config, "ARCHIVE_AUDIT_RETENTION_DAYS", int, default=retention.AUDIT_RETENTION_DAYS))
        if any(removed.values()):
            log.info("retention removed %s", removed)

    # ---- the training history, from events ----

    @handles("delivery", "LearnerEnrolled.v1", consumer="archive-enrolments")
    def on_learner_enrolled(self, envelope, data):
        self._changed(envelope, data, history.learner_enrolled(self.db, self._keyring(), envelope, data))

    @handles("delivery", "EnrollmentCancelled.v1", consumer="archive-cancelled-enrolments")
    def on_enrolment_cancelled(self, envelope, data):
        self._changed(envelope, data, history.enrolment_cancelled(self.db, self._keyring(), envelope, data))

    @handles("delivery", "AttendanceRecorded.v1", consumer="archive-attendance")
    def on_attendance_recorded(self, envelope, data):
        self._changed(envelope, data, history.attendance_recorded(self.db, self._keyring(), envelope, data))

    @handles("delivery", "SessionCompleted.v1", consumer="archive-completed-sessions")
    def on_session_completed(self, envelope, data):
        self._changed(envelope, data, history.session_completed(self.db, self._keyring(), envelope, data))

    @handles("delivery", "SessionRescheduled.v1", consumer="archive-rescheduled-sessions")
    def on_session_rescheduled(self, envelope, data):
        self._changed(envelope, data, history.session_rescheduled(self.db, self._keyring(), envelope, data))

    @handles("delivery", "SessionCancelled.v1", consumer="archive-cancelled-sessions")
    def on_session_cancelled(self, envelope, data):
        self._changed(envelope, data, history.session_cancelled(self.db, self._keyring(), envelope, data))

    @handles("assessment", "ExamGraded.v1", consumer="archive-results")
    def on_exam_graded(self, envelope, data):
        self._changed(envelope, data, history.exam_graded(self.db, self._keyring(), envelope, data))

    @handles("assessment", "CertificateIssued.v1", consumer="archive-certificates")
    def on_certificate_issued(self, envelope, data):
        self._changed(envelope, data, history.certificate_issued(self.db, self._keyring(), envelope, data))

    @handles("feedback", "FeedbackSubmitted.v2", consumer="archive-feedback")
    def on_feedback_submitted(self, envelope, data):
        self._changed(envelope, data, history.feedback_submitted(self.db, self._keyring(), envelope, data))

    @handles("planning", "PlanApproved.v1", consumer="plan-history")
    def on_plan_approved(self, envelope, data):
        plan_log.log_plan_approval(self.db, envelope, data)

    @rpc
    def list_plan_log(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = plan_log.list_plan_log(self.db, **validated(PageQuerySchema, query or {}))
        return instance(PlanLogPageSchema).dump({"total": total, "items": items})

    # ---- helpers ----

    def _changed(self, envelope, data, learner_ids):
        audit.record_event(self.db, envelope, data, learner_ids, utc_now())

    def _reader(self, query):
        return self.caller.require(), validated(ReadQuerySchema, query or {})["reason"]

    def _keyring(self):
        return keyring(setting(self.config, "ARCHIVE_MASTER_KEY"), setting(self.config, "ARCHIVE_SEARCH_KEY"))

    def _xapi_home(self):
        return setting(self.config, "XAPI_HOME_PAGE", default="https://training.example.com")
