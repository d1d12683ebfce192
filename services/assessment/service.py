"""assessment: exams, automatic grading and results. Entrypoints only."""
from shared.errors import validated
from shared.schemas import ActorSchema, PageQuerySchema, is_staff
from shared.service import Events, PlatformService, Store, rpc

from services.assessment import exams, store, submissions
from services.assessment.schemas import (ExamAnswersSchema, ExamCreateSchema, ExamLearnerViewSchema,
                                         ExamQuerySchema, ExamSchema, ExamSubmissionPageSchema,
                                         ExamSubmissionSchema, ExamSummaryPageSchema)


class AssessmentService(PlatformService):
    name = "assessment"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @rpc
    def create_exam(self, payload, actor):
        exam = exams.create_exam(self.db, validated(ExamCreateSchema(), payload), validated(ActorSchema(), actor))
        return ExamSchema().dump(exam)

    @rpc
    def get_exam(self, exam_id, actor):
        """Staff get the answer key; learners get the learner view of a published exam."""
        actor = validated(ActorSchema(), actor)
        view = ExamSchema() if is_staff(actor) else ExamLearnerViewSchema()
        return view.dump(exams.get_exam(self.db, exam_id, actor))

    @rpc
    def list_exams(self, query, actor):
        total, items = exams.list_exams(self.db, validated(ActorSchema(), actor),
                                        **validated(ExamQuerySchema(), query or {}))
        return ExamSummaryPageSchema().dump({"total": total, "items": items})

    @rpc
    def publish_exam(self, exam_id, actor):
        exam = exams.publish_exam(self.db, exam_id, validated(ActorSchema(), actor), self.events.new)
        self.events.flush(store.EXAMS, exam_id)
        return ExamSchema().dump(exam)

    @rpc
    def submit_answers(self, exam_id, payload, actor):
        submission = submissions.submit_answers(self.db, exam_id, validated(ExamAnswersSchema(), payload)["answers"],
                                                validated(ActorSchema(), actor), self.events.new)
        self.events.flush(store.SUBMISSIONS, submission["_id"])
        return ExamSubmissionSchema().dump(submission)

    @rpc
    def list_submissions(self, exam_id, query=None):
        total, items = submissions.list_submissions(self.db, exam_id, **validated(PageQuerySchema(), query or {}))
        return ExamSubmissionPageSchema().dump({"total": total, "items": items})

    @rpc
    def get_result(self, exam_id, learner_id, actor):
        return ExamSubmissionSchema().dump(
            submissions.get_result(self.db, exam_id, learner_id, validated(ActorSchema(), actor)))
