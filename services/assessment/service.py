"""assessment: question bank, assessments of every method, attempts, grading, results, reports,
remediation, recognition and certificates. Entrypoints only."""
from nameko.dependency_providers import Config

from shared.config import setting
from shared.errors import validated
from shared.events import utc_now
from shared.identity import STAFF_ROLES, is_staff
from shared.schemas import PageQuerySchema, instance
from shared.shell import Events, PlatformService, Store, handles, rpc, singleton_timer

from services.assessment import (attempts, awards, certificates, erasure, exams, questions, remediations, reports,
                                 results, results_entry, store)
from services.assessment.contract import (AttemptAnswersSchema, AttemptPageSchema, AttemptSchema, AttemptWorkSchema,
                                          AwardPageSchema, BankQuestionContentSchema, BankQuestionPageSchema,
                                          BankQuestionQuerySchema, BankQuestionRevisionSchema, BankQuestionSchema,
                                          BankQuestionVersionQuerySchema, CertificatePageSchema,
                                          CertificateQuerySchema, CertificateSchema, ExamCreateSchema,
                                          ExamItemAnalysisSchema, ExamLearnersSchema, ExamLearnerViewSchema,
                                          ExamQuerySchema, ExamReportQuerySchema, ExamReportSchema, ExamSchema,
                                          ExamSessionReportSchema, ExamSummaryPageSchema, RemediationCloseSchema,
                                          RemediationPageSchema, RemediationQuerySchema, RemediationSchema,
                                          ResultGradeSchema, ResultGradingQueueQuerySchema,
                                          ResultGradingTaskPageSchema, ResultImportSchema, ResultPageSchema,
                                          ResultQuerySchema, ResultReleaseOutcomeSchema, ResultReleaseSchema,
                                          ResultSchema)

AUTHORS = ("supervisor", "specialist", "trainer")  # write questions and assessments
GRADERS = AUTHORS  # and grade, release, enter results; trainers only for their own assessments
LEARNER = "learner"


class AssessmentService(PlatformService):
    name = "assessment"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    config = Config()

    # ---- question bank ----

    @rpc
    def create_question(self, payload):
        caller = self.caller.require(*AUTHORS)
        content = validated(BankQuestionContentSchema, payload)
        return instance(BankQuestionSchema).dump(questions.create_question(self.db, content, caller, utc_now()))

    @rpc
    def revise_question(self, question_id, payload):
        caller = self.caller.require(*AUTHORS)
        revision = validated(BankQuestionRevisionSchema, payload)
        return instance(BankQuestionSchema).dump(
            questions.revise_question(self.db, question_id, revision, caller, utc_now()))

    @rpc
    def retire_question(self, question_id):
        self.caller.require(*AUTHORS)
        return instance(BankQuestionSchema).dump(questions.retire_question(self.db, question_id, utc_now()))

    @rpc
    def get_question(self, question_id, query=None):
        self.caller.require(*STAFF_ROLES)
        version = validated(BankQuestionVersionQuerySchema, query or {})["version"]
        return instance(BankQuestionSchema).dump(questions.get_question(self.db, question_id, version))

    @rpc
    def list_questions(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = questions.list_questions(self.db, **validated(BankQuestionQuerySchema, query or {}))
        return instance(BankQuestionPageSchema).dump({"total": total, "items": items})

    # ---- assessments ----

    @rpc
    def create_exam(self, payload):
        caller = self.caller.require(*AUTHORS)
        exam = exams.create_exam(self.db, validated(ExamCreateSchema, payload), caller, utc_now())
        return instance(ExamSchema).dump(exam)

    @rpc
    def get_exam(self, exam_id):
        """Staff see questions and keys; a learner sees the rules of an assessment open to them."""
        caller = self.caller.require()
        view = ExamSchema() if is_staff(caller) else ExamLearnerViewSchema()
        return view.dump(exams.exam_for(self.db, exam_id, caller))

    @rpc
    def list_exams(self, query=None):
        caller = self.caller.require()
        total, items = exams.list_exams(self.db, caller, **validated(ExamQuerySchema, query or {}))
        return instance(ExamSummaryPageSchema).dump({"total": total, "items": items})

    @rpc
    def publish_exam(self, exam_id):
        caller = self.caller.require(*AUTHORS)
        return instance(ExamSchema).dump(exams.publish_exam(self.db, exam_id, caller, self.events.new, utc_now()))

    @rpc
    def close_exam(self, exam_id):
        caller = self.caller.require(*AUTHORS)
        return instance(ExamSchema).dump(exams.close_exam(self.db, exam_id, caller, utc_now()))

    @rpc
    def open_exam(self, exam_id, payload):
        caller = self.caller.require(*AUTHORS)
        learner_ids = validated(ExamLearnersSchema, payload)["learner_ids"]
        return instance(ExamSchema).dump(exams.open_to(self.db, exam_id, learner_ids, caller, utc_now()))

    @handles("delivery", "SessionCompleted.v1", consumer="open-exams-to-attendees")
    def on_session_completed(self, envelope, data):
        exams.record_completed_session(self.db, data, utc_now())

    # ---- attempts ----

    @rpc
    def start_attempt(self, exam_id):
        caller = self.caller.require(LEARNER)
        attempt = attempts.start_attempt(self.db, exam_id, caller, utc_now(), self.events.new)
        return instance(AttemptSchema).dump(attempt)

    @rpc
    def save_answers(self, exam_id, attempt_id, payload):
        caller = self.caller.require(LEARNER)
        answers = validated(AttemptAnswersSchema, payload)["answers"]
        return instance(AttemptSchema).dump(
            attempts.save_answers(self.db, exam_id, attempt_id, answers, caller, utc_now()))

    @rpc
    def submit_attempt(self, exam_id, attempt_id, payload=None):
        caller = self.caller.require(LEARNER)
        answers = validated(AttemptAnswersSchema, payload or {})["answers"]
        attempt = attempts.submit_attempt(self.db, exam_id, attempt_id, answers, caller, utc_now(), self.events.new)
        return self._attempt_view(attempt, caller)

    @rpc
    def hand_in(self, exam_id, payload):
        caller = self.caller.require(LEARNER)
        work = validated(AttemptWorkSchema, payload)
        return instance(AttemptSchema).dump(
            attempts.hand_in(self.db, exam_id, work, caller, utc_now(), self.events.new))

    @rpc
    def get_attempt(self, exam_id, attempt_id):
        caller = self.caller.require()
        return self._attempt_view(attempts.attempt_for(self.db, exam_id, attempt_id, caller), caller)

    @rpc
    def list_attempts(self, exam_id, query=None):
        caller = self.caller.require()
        total, items = attempts.list_attempts(self.db, exam_id, caller, **validated(ResultQuerySchema, query or {}))
        return instance(AttemptPageSchema).dump({"total": total, "items": items})

    @singleton_timer(setting(None, "ATTEMPT_SWEEP_INTERVAL_SECONDS", float, default=60))
    def submit_overdue_attempts(self):
        attempts.submit_overdue(self.db, utc_now(), self.events.new)

    # ---- grading and results ----

    @rpc
    def grading_queue(self, query=None):
        caller = self.caller.require(*GRADERS)
        total, items = results.grading_queue(self.db, caller, **validated(ResultGradingQueueQuerySchema, query or {}))
        return instance(ResultGradingTaskPageSchema).dump({"total": total, "items": items})

    @rpc
    def grade_attempt(self, exam_id, attempt_id, payload):
        caller = self.caller.require(*GRADERS)
        marks = validated(ResultGradeSchema, payload)
        return instance(ResultSchema).dump(
            results.grade_attempt(self.db, exam_id, attempt_id, marks, caller, utc_now()))

    @rpc
    def import_results(self, exam_id, csv_text):
        caller = self.caller.require(*GRADERS)
        return instance(ResultImportSchema).dump(
            results_entry.import_results(self.db, exam_id, csv_text, caller, utc_now()))

    @rpc
    def release_results(self, exam_id, payload=None):
        caller = self.caller.require(*GRADERS)
        learner_ids = validated(ResultReleaseSchema, payload or {})["learner_ids"]
        outcome = results.release_results(self.db, exam_id, learner_ids, caller, utc_now(), self.events.new)
        return instance(ResultReleaseOutcomeSchema).dump(outcome)

    @rpc
    def list_results(self, exam_id, query=None):
        caller = self.caller.require()
        total, items = results.list_results(self.db, exam_id, caller, **validated(ResultQuerySchema, query or {}))
        return instance(ResultPageSchema).dump({"total": total, "items": items})

    # ---- reports ----

    @rpc
    def exam_report(self, exam_id, query=None):
        self.caller.require(*STAFF_ROLES)
        top = validated(ExamReportQuerySchema, query or {})["top"]
        return instance(ExamReportSchema).dump(reports.exam_report(self.db, exam_id, top))

    @rpc
    def session_report(self, session_id, query=None):
        self.caller.require(*STAFF_ROLES)
        top = validated(ExamReportQuerySchema, query or {})["top"]
        return instance(ExamSessionReportSchema).dump(reports.session_report(self.db, session_id, top))

    @rpc
    def item_analysis(self, exam_id):
        self.caller.require(*STAFF_ROLES)
        return instance(ExamItemAnalysisSchema).dump(reports.item_analysis(self.db, exam_id))

    # ---- follow-up: remediation, recognition, certificates ----

    @handles("assessment", "ExamGraded.v1", consumer="assign-remediation")
    def assign_remediation(self, envelope, data):
        due_days = setting(self.config, "REMEDIATION_DUE_DAYS", int, default=14)
        remediations.assign_for_result(self.db, data, exams.get_exam(self.db, data["exam_id"]), utc_now(), due_days,
                                       self.events.new)

    @handles("assessment", "ExamGraded.v1", consumer="issue-certificates")
    def issue_certificate(self, envelope, data):
        certificates.issue_for_result(self.db, data, exams.get_exam(self.db, data["exam_id"]), utc_now(),
                                      self.events.new)

    @rpc
    def list_remediations(self, query=None):
        caller = self.caller.require()
        total, items = remediations.list_remediations(self.db, caller,
                                                      **validated(RemediationQuerySchema, query or {}))
        return instance(RemediationPageSchema).dump({"total": total, "items": items})

    @rpc
    def get_remediation(self, remediation_id):
        caller = self.caller.require()
        return instance(RemediationSchema).dump(remediations.remediation_for(self.db, remediation_id, caller))

    @rpc
    def close_remediation(self, remediation_id, payload):
        caller = self.caller.require(*GRADERS)
        note = validated(RemediationCloseSchema, payload)["note"]
        return instance(RemediationSchema).dump(remediations.close_remediation(self.db, remediation_id, note, caller,
                                                                               utc_now()))

    @rpc
    def grant_awards(self, exam_id):
        caller = self.caller.require(*GRADERS)
        default_rule = {"top_count": setting(self.config, "RECOGNITION_TOP_COUNT", int, default=3),
                        "min_score": setting(self.config, "RECOGNITION_MIN_SCORE", float, default=90)}
        total, items = awards.grant_awards(self.db, exam_id, default_rule, caller, utc_now())
        return instance(AwardPageSchema).dump({"total": total, "items": items})

    @rpc
    def list_awards(self, exam_id, query=None):
        caller = self.caller.require()
        total, items = awards.list_awards(self.db, exam_id, caller, **validated(PageQuerySchema, query or {}))
        return instance(AwardPageSchema).dump({"total": total, "items": items})

    @rpc
    def list_certificates(self, query=None):
        caller = self.caller.require()
        total, items = certificates.list_certificates(self.db, caller, utc_now().date(),
                                                      **validated(CertificateQuerySchema, query or {}))
        return instance(CertificatePageSchema).dump({"total": total, "items": items})

    @rpc
    def get_certificate(self, certificate_id):
        caller = self.caller.require()
        return instance(CertificateSchema).dump(certificates.certificate_for(self.db, certificate_id, caller))

    @singleton_timer(setting(None, "CERTIFICATE_CHECK_INTERVAL_SECONDS", float, default=86400))
    def announce_expiring_certificates(self):
        window = setting(self.config, "CERTIFICATE_EXPIRY_WINDOW_DAYS", int, default=60)
        now = utc_now()
        certificates.announce_expiring(self.db, now.date(), window, now, self.events.new)

    # ---- privacy ----

    @handles("archive", "LearnerErased.v1", consumer="erase-learner")
    def on_learner_erased(self, envelope, data):
        erasure.erase_learner(self.db, data["learner_id"], envelope["id"])

    def _attempt_view(self, attempt, caller):
        """Marks and answer keys only for staff, and for a learner once the result is released."""
        return (ResultSchema() if attempts.shows_marks(attempt, caller) else AttemptSchema()).dump(attempt)
