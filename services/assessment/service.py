"""assessment: exams, automatic grading and results. Entrypoints only."""
from shared.errors import validated
from shared.identity import STAFF_ROLES, is_staff
from shared.schemas import PageQuerySchema
from shared.shell import Events, PlatformService, Store, rpc

from services.assessment import exams, store, submissions
from services.assessment.contract import (ExamAnswersSchema, ExamCreateSchema, ExamLearnerViewSchema,
                                          ExamQuerySchema, ExamSchema, ExamSubmissionPageSchema,
                                          ExamSubmissionSchema, ExamSummaryPageSchema)

EXAM_AUTHORS = ("supervisor", "specialist", "trainer")


class AssessmentService(PlatformService):
    name = "assessment"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @rpc
    def create_exam(self, payload):
        caller = self.caller.require(*EXAM_AUTHORS)
        return ExamSchema().dump(exams.create_exam(self.db, validated(ExamCreateSchema(), payload), caller))

    @rpc
    def get_exam(self, exam_id):
        """Staff get the answer key; learners get the learner view of a published exam."""
        caller = self.caller.require()
        view = ExamSchema() if is_staff(caller) else ExamLearnerViewSchema()
        return view.dump(exams.get_exam(self.db, exam_id, caller))

    @rpc
    def list_exams(self, query=None):
        caller = self.caller.require()
        total, items = exams.list_exams(self.db, caller, **validated(ExamQuerySchema(), query or {}))
        return ExamSummaryPageSchema().dump({"total": total, "items": items})

    @rpc
    def publish_exam(self, exam_id):
        caller = self.caller.require(*EXAM_AUTHORS)
        return ExamSchema().dump(exams.publish_exam(self.db, exam_id, caller, self.events.new))

    @rpc
    def submit_answers(self, exam_id, payload):
        caller = self.caller.require("learner")
        submission = submissions.submit_answers(self.db, exam_id, validated(ExamAnswersSchema(), payload)["answers"],
                                                caller, self.events.new)
        return ExamSubmissionSchema().dump(submission)

    @rpc
    def list_submissions(self, exam_id, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = submissions.list_submissions(self.db, exam_id, **validated(PageQuerySchema(), query or {}))
        return ExamSubmissionPageSchema().dump({"total": total, "items": items})

    @rpc
    def get_result(self, exam_id, learner_id):
        caller = self.caller.require()
        return ExamSubmissionSchema().dump(submissions.get_result(self.db, exam_id, learner_id, caller))
