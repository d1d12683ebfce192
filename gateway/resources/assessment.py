"""Exams, learners' answers and their automatic grading (assessment service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.assessment.contract import (ExamAnswersSchema, ExamCreateSchema, ExamQuerySchema, ExamSchema,
                                         ExamSubmissionPageSchema, ExamSubmissionSchema,
                                         ExamSummaryPageSchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call

blp = Blueprint("assessment", __name__, description="Exams, learners' answers and their grading.")

AUTHORS = ("supervisor", "specialist", "trainer")


@blp.route("/exams")
class Exams(MethodView):
    @any_role
    @blp.arguments(ExamQuerySchema, location="query")
    @blp.alt_response(200, schema=ExamSummaryPageSchema, success=True)
    def get(self, query):
        """List exams, newest first; filter by session and status. Learners see published ones."""
        return call("assessment", "list_exams", query)

    @roles_required(*AUTHORS)
    @blp.arguments(ExamCreateSchema)
    @blp.alt_response(201, schema=ExamSchema, success=True)
    def post(self, exam):
        """Draft an exam with its questions and answer key."""
        return call("assessment", "create_exam", ExamCreateSchema().dump(exam)), 201


@blp.route("/exams/<exam_id>")
class ExamById(MethodView):
    @any_role
    @blp.alt_response(200, schema=ExamSchema, success=True)
    def get(self, exam_id):
        """One exam. Learners see only published exams, without `correct_option`."""
        return call("assessment", "get_exam", exam_id)


@blp.route("/exams/<exam_id>/publish")
class PublishExam(MethodView):
    @roles_required(*AUTHORS)
    @blp.alt_response(200, schema=ExamSchema, success=True)
    def post(self, exam_id):
        """Open a draft exam to learners. Publishes ExamPublished.v1."""
        return call("assessment", "publish_exam", exam_id)


@blp.route("/exams/<exam_id>/submissions")
class ExamSubmissions(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=ExamSubmissionPageSchema, success=True)
    def get(self, query, exam_id):
        """Graded submissions of an exam, in the order they arrived (staff only)."""
        return call("assessment", "list_submissions", exam_id, query)

    @roles_required("learner")
    @blp.arguments(ExamAnswersSchema)
    @blp.alt_response(201, schema=ExamSubmissionSchema, success=True)
    def post(self, answers, exam_id):
        """Submit your own answers once; they are graded at once. Publishes ExamGraded.v1."""
        return call("assessment", "submit_answers", exam_id, answers), 201


@blp.route("/exams/<exam_id>/submissions/<learner_id>")
class ExamResult(MethodView):
    @any_role
    @blp.alt_response(200, schema=ExamSubmissionSchema, success=True)
    def get(self, exam_id, learner_id):
        """A learner's graded submission; a learner may read only their own."""
        return call("assessment", "get_result", exam_id, learner_id)
