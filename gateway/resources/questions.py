"""The question bank (assessment service): questions by topic, difficulty and tags, every version kept."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.assessment.contract import (BankQuestionContentSchema, BankQuestionPageSchema, BankQuestionQuerySchema,
                                          BankQuestionRevisionSchema, BankQuestionSchema,
                                          BankQuestionVersionQuerySchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("questions", __name__, description=(
    "The question bank: single choice, multiple choice (scores only if exactly the right options are "
    "picked), true/false, numeric (right within ± tolerance) and short answer (graded by a trainer). "
    "Revising a question makes a new version; an assessment keeps the version it was made with. "
    "Staff only: learners never see answer keys here."))

AUTHORS = ("supervisor", "specialist", "trainer")


@blp.route("/questions")
class Questions(MethodView):
    @staff_only
    @blp.arguments(BankQuestionQuerySchema, location="query")
    @blp.alt_response(200, schema=BankQuestionPageSchema, success=True)
    def get(self, query):
        """Search the bank by topic (whatever the case), difficulty, type, tag and status (active by default)."""
        return call("assessment", "list_questions", query)

    @roles_required(*AUTHORS)
    @blp.arguments(BankQuestionContentSchema)
    @blp.alt_response(201, schema=BankQuestionSchema, success=True)
    def post(self, question):
        """Add a question (version 1). The answer key must fit the type (422 otherwise)."""
        return call("assessment", "create_question", instance(BankQuestionContentSchema).dump(question)), 201


@blp.route("/questions/<question_id>")
class QuestionById(MethodView):
    @staff_only
    @blp.arguments(BankQuestionVersionQuerySchema, location="query")
    @blp.alt_response(200, schema=BankQuestionSchema, success=True)
    def get(self, query, question_id):
        """A question at its current version, or at `version`."""
        return call("assessment", "get_question", question_id, query)


@blp.route("/questions/<question_id>/revise")
class ReviseQuestion(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(BankQuestionRevisionSchema)
    @blp.alt_response(200, schema=BankQuestionSchema, success=True)
    def post(self, revision, question_id):
        """Save the question's next version. Send the `version` you revised: 409 with the current version
        if someone revised it since."""
        return call("assessment", "revise_question", question_id, instance(BankQuestionRevisionSchema).dump(revision))


@blp.route("/questions/<question_id>/retire")
class RetireQuestion(MethodView):
    @roles_required(*AUTHORS)
    @blp.alt_response(200, schema=BankQuestionSchema, success=True)
    def post(self, question_id):
        """Retire a question: no new assessment uses it; those that do keep it."""
        return call("assessment", "retire_question", question_id)
