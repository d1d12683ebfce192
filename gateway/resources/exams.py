"""Assessments of every method (assessment service): attempts, grading queue, results, reports,
item analysis, CSV entry of results, awards."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.assessment.contract import (AttemptAnswersSchema, AttemptPageSchema, AttemptSchema, AttemptWorkSchema,
                                          AwardPageSchema, ExamCreateSchema, ExamItemAnalysisSchema,
                                          ExamLearnersSchema, ExamQuerySchema, ExamReportQuerySchema,
                                          ExamReportSchema, ExamSchema, ExamSessionReportSchema,
                                          ExamSummaryPageSchema, ResultGradeSchema, ResultGradingQueueQuerySchema,
                                          ResultGradingTaskPageSchema, ResultImportSchema, ResultPageSchema,
                                          ResultQuerySchema, ResultReleaseOutcomeSchema, ResultReleaseSchema,
                                          ResultSchema)
from shared.schemas import PageQuerySchema, instance

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call
from gateway.resources.needs import uploaded_csv

blp = Blueprint("exams", __name__, description=(
    "Assessments of every method: online exams and homework (bank questions, fixed or drawn at random by "
    "topic and difficulty), project work and practical operation (a rubric of criteria × levels with "
    "points), paper exams (bank questions, results entered by CSV). Each has a pass mark; questions weigh "
    "their points, rubric criteria their weight. Draft → published → closed. An assessment is open to the "
    "attendees (present or late) of its session once delivery reports it completed, and to learners named "
    "by staff; to anyone else it does not exist (404). Its trainers (its author, the session's trainers), "
    "specialists and supervisors manage it.\n\n"
    "Time limit: the server's clock runs from the start of each attempt (and stops at `closes_at`). Answers "
    "are saved until the deadline. A submission after it is accepted and graded **as of the deadline**: "
    "the answers saved in time count, those sent with the late submission do not, and it is marked `late`. "
    "An attempt nobody submits is submitted that way by the service once its deadline has passed.\n\n"
    "Results stay with staff until released: only then does a learner see the score, the marks and the "
    "answer key, and ExamGraded.v1 is published."))

AUTHORS = ("supervisor", "specialist", "trainer")
LEARNER = "learner"
CSV_EXAMPLE = "learner_id,q1,q2,q3,comment\nada.lovelace,1,2,0,\ngrace.hopper,1,1,1,late start\n"


@blp.route("/exams")
class Exams(MethodView):
    @any_role
    @blp.arguments(ExamQuerySchema, location="query")
    @blp.alt_response(200, schema=ExamSummaryPageSchema, success=True)
    def get(self, query):
        """List assessments, newest first; filter by session, method and status. Learners see those open
        to them."""
        return call("assessment", "list_exams", query)

    @roles_required(*AUTHORS)
    @blp.arguments(ExamCreateSchema)
    @blp.alt_response(201, schema=ExamSchema, success=True)
    def post(self, exam):
        """Draft an assessment. Bank questions are copied at their current (or pinned) version; draw
        rules copy the pool each attempt draws from (422 if the bank cannot fill them)."""
        return call("assessment", "create_exam", instance(ExamCreateSchema).dump(exam)), 201


@blp.route("/exams/<exam_id>")
class ExamById(MethodView):
    @any_role
    @blp.alt_response(200, schema=ExamSchema, success=True)
    def get(self, exam_id):
        """One assessment. Staff see its questions with their keys; a learner sees its rules only."""
        return call("assessment", "get_exam", exam_id)


@blp.route("/exams/<exam_id>/publish")
class PublishExam(MethodView):
    @roles_required(*AUTHORS)
    @blp.alt_response(200, schema=ExamSchema, success=True)
    def post(self, exam_id):
        """Open a draft to the learners it is open to. Publishes ExamPublished.v1."""
        return call("assessment", "publish_exam", exam_id)


@blp.route("/exams/<exam_id>/close")
class CloseExam(MethodView):
    @roles_required(*AUTHORS)
    @blp.alt_response(200, schema=ExamSchema, success=True)
    def post(self, exam_id):
        """Close a published assessment: no new attempts or hand-ins; grading and releasing go on."""
        return call("assessment", "close_exam", exam_id)


@blp.route("/exams/<exam_id>/learners")
class ExamLearners(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(ExamLearnersSchema)
    @blp.alt_response(200, schema=ExamSchema, success=True)
    def post(self, learners, exam_id):
        """Open a draft or published assessment to more learners (their sign-in subjects)."""
        return call("assessment", "open_exam", exam_id, learners)


@blp.route("/exams/<exam_id>/attempts")
class ExamAttempts(MethodView):
    @any_role
    @blp.arguments(ResultQuerySchema, location="query")
    @blp.alt_response(200, schema=AttemptPageSchema, success=True)
    def get(self, query, exam_id):
        """Attempts at an assessment; a learner sees their own."""
        return call("assessment", "list_attempts", exam_id, query)

    @roles_required(LEARNER)
    @blp.alt_response(201, schema=AttemptSchema, success=True)
    def post(self, exam_id):
        """Start an attempt (online exams and homework): your attempt in progress if you have one, else
        a new one while attempts are left (409 otherwise). Its questions come without answer keys."""
        return call("assessment", "start_attempt", exam_id), 201


@blp.route("/exams/<exam_id>/attempts/<attempt_id>")
class AttemptById(MethodView):
    @any_role
    @blp.alt_response(200, schema=ResultSchema, success=True)
    def get(self, exam_id, attempt_id):
        """One attempt. Marks and answer keys: for staff once it is graded, for its learner once released."""
        return call("assessment", "get_attempt", exam_id, attempt_id)


@blp.route("/exams/<exam_id>/attempts/<attempt_id>/answers")
class AttemptAnswers(MethodView):
    @roles_required(LEARNER)
    @blp.arguments(AttemptAnswersSchema)
    @blp.alt_response(200, schema=AttemptSchema, success=True)
    def post(self, answers, exam_id, attempt_id):
        """Save answers to your attempt (each replaces your earlier answer to its question); 409 once the
        deadline has passed."""
        return call("assessment", "save_answers", exam_id, attempt_id, answers)


@blp.route("/exams/<exam_id>/attempts/<attempt_id>/submit")
class SubmitAttempt(MethodView):
    @roles_required(LEARNER)
    @blp.arguments(AttemptAnswersSchema)
    @blp.alt_response(200, schema=AttemptSchema, success=True)
    def post(self, answers, exam_id, attempt_id):
        """Hand in your attempt with its last answers. Objective questions are marked at once; short
        answers wait for a trainer. Late: graded as of the deadline. Of two submissions at once one
        counts, the other gets 409. Publishes ExamSubmitted.v1."""
        return call("assessment", "submit_attempt", exam_id, attempt_id, answers)


@blp.route("/exams/<exam_id>/attempts/<attempt_id>/grade")
class GradeAttempt(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(ResultGradeSchema)
    @blp.alt_response(200, schema=ResultSchema, success=True)
    def post(self, marks, exam_id, attempt_id):
        """Grade submitted work from the queue: points for every short answer, or a level for every
        rubric criterion (the assessment's trainers, specialists, supervisors)."""
        return call("assessment", "grade_attempt", exam_id, attempt_id, marks)


@blp.route("/exams/<exam_id>/hand-ins")
class HandIns(MethodView):
    @roles_required(LEARNER)
    @blp.arguments(AttemptWorkSchema)
    @blp.alt_response(201, schema=AttemptSchema, success=True)
    def post(self, work, exam_id):
        """Hand in project work (text and links); it waits in the grading queue. Publishes
        ExamSubmitted.v1."""
        return call("assessment", "hand_in", exam_id, work), 201


@blp.route("/exams/grading-queue")
class GradingQueue(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(ResultGradingQueueQuerySchema, location="query")
    @blp.alt_response(200, schema=ResultGradingTaskPageSchema, success=True)
    def get(self, query):
        """Work waiting for a trainer, oldest first: a trainer sees their assessments', specialists and
        supervisors everything."""
        return call("assessment", "grading_queue", query)


@blp.route("/exams/<exam_id>/results")
class ExamResults(MethodView):
    @any_role
    @blp.arguments(ResultQuerySchema, location="query")
    @blp.alt_response(200, schema=ResultPageSchema, success=True)
    def get(self, query, exam_id):
        """Graded results with score, pass, topic scores and marks; a learner sees their own released ones."""
        return call("assessment", "list_results", exam_id, query)


@blp.route("/exams/<exam_id>/results/release")
class ReleaseResults(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(ResultReleaseSchema)
    @blp.alt_response(200, schema=ResultReleaseOutcomeSchema, success=True)
    def post(self, release, exam_id):
        """Release graded results (all, or some learners'). Each publishes ExamGraded.v1 once; a failed or
        weak result is then assigned remediation, a passed certifying one earns a certificate."""
        return call("assessment", "release_results", exam_id, release)


@blp.route("/exams/<exam_id>/results/import")
class ImportResults(MethodView):
    @roles_required(*AUTHORS)
    @blp.doc(requestBody={"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}}}})
    @blp.alt_response(201, schema=ResultImportSchema, success=True)
    def post(self, exam_id):
        """Enter paper or practical results from a CSV, all or nothing.

        Send UTF-8 CSV as the body (`Content-Type: text/csv`) or as the `file` field of a multipart form.
        Columns: `learner_id`, then for a paper exam `q1` … `qN` (points per question, in the exam's order),
        for a practical one column per rubric criterion (the level reached); `comment` is optional. If any
        row is invalid nothing is entered and the 422 lists each bad row (numbered as in a spreadsheet,
        header = 1). Entering the file again replaces results not yet released."""
        return call("assessment", "import_results", exam_id, uploaded_csv()), 201


@blp.route("/exams/<exam_id>/report")
class ExamReport(MethodView):
    @staff_only
    @blp.arguments(ExamReportQuerySchema, location="query")
    @blp.alt_response(200, schema=ExamReportSchema, success=True)
    def get(self, query, exam_id):
        """Score report: distribution in bands of 10, mean, median, pass rate, best and worst, topic means
        (each learner's best graded attempt)."""
        return call("assessment", "exam_report", exam_id, query)


@blp.route("/exams/sessions/<session_id>/report")
class SessionReport(MethodView):
    @staff_only
    @blp.arguments(ExamReportQuerySchema, location="query")
    @blp.alt_response(200, schema=ExamSessionReportSchema, success=True)
    def get(self, query, session_id):
        """Score report of every assessment of a session, and over all of them."""
        return call("assessment", "session_report", session_id, query)


@blp.route("/exams/<exam_id>/item-analysis")
class ItemAnalysis(MethodView):
    @staff_only
    @blp.alt_response(200, schema=ExamItemAnalysisSchema, success=True)
    def get(self, exam_id):
        """Per question: facility index, discrimination index (upper and lower 27 % by total score),
        distractor counts; questions discriminating below 0.2 are flagged `not_discriminating`."""
        return call("assessment", "item_analysis", exam_id)


@blp.route("/exams/<exam_id>/awards")
class ExamAwards(MethodView):
    @any_role
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=AwardPageSchema, success=True)
    def get(self, query, exam_id):
        """Awards of an assessment, best first; a learner sees their own."""
        return call("assessment", "list_awards", exam_id, query)

    @roles_required(*AUTHORS)
    @blp.alt_response(200, schema=AwardPageSchema, success=True)
    def post(self, exam_id):
        """Grant awards to the top performers by the assessment's rule (default RECOGNITION_TOP_COUNT best
        at or above RECOGNITION_MIN_SCORE), once, after it is closed and every result released."""
        return call("assessment", "grant_awards", exam_id)
