"""Feedback questionnaires, learners' responses and their statistics (feedback service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.feedback.contract import (FeedbackResponsePageSchema, FeedbackResponseSchema, FeedbackSubmissionSchema,
                                       FeedbackSummarySchema, QuestionnairePageSchema, QuestionnaireSchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call

blp = Blueprint("feedback", __name__, description="Session feedback questionnaires and what learners answered.")


@blp.route("/questionnaires")
class Questionnaires(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=QuestionnairePageSchema, success=True)
    def get(self, query):
        """Questionnaires, latest session first; one opens for each scheduled session."""
        return call("feedback", "list_questionnaires", query)


@blp.route("/questionnaires/<questionnaire_id>")
class QuestionnaireById(MethodView):
    @any_role
    @blp.alt_response(200, schema=QuestionnaireSchema, success=True)
    def get(self, questionnaire_id):
        """One questionnaire with its questions; its id is its session's id."""
        return call("feedback", "get_questionnaire", questionnaire_id)


@blp.route("/questionnaires/<questionnaire_id>/responses")
class QuestionnaireResponses(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=FeedbackResponsePageSchema, success=True)
    def get(self, query, questionnaire_id):
        """Every learner's answers to one questionnaire, in submission order (staff only)."""
        return call("feedback", "list_responses", questionnaire_id, query)

    @roles_required("learner")
    @blp.arguments(FeedbackSubmissionSchema)
    @blp.alt_response(201, schema=FeedbackResponseSchema, success=True)
    def post(self, submission, questionnaire_id):
        """Answer a questionnaire as the signed-in learner, once per session.

        Publishes FeedbackSubmitted.v1 with the ratings; the open text stays in the feedback service.
        """
        return call("feedback", "submit_feedback", questionnaire_id, submission), 201


@blp.route("/questionnaires/<questionnaire_id>/summary")
class QuestionnaireSummary(MethodView):
    @staff_only
    @blp.alt_response(200, schema=FeedbackSummarySchema, success=True)
    def get(self, questionnaire_id):
        """Number of responses, average and 1-5 distribution of each rating (staff only)."""
        return call("feedback", "get_summary", questionnaire_id)
