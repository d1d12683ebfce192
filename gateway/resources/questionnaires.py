"""Questionnaire templates: sections of Likert (1-5), 0-10, choice and open items (feedback service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.feedback.contract import (QuestionnaireCreateSchema, QuestionnairePageSchema,
                                        QuestionnaireQuerySchema, QuestionnaireSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("questionnaires", __name__, description=(
    "Questionnaire templates. `standard-reaction` (content, format, trainer, effect, a 0-10 recommendation and "
    "open questions) and `standard-follow-up` (level 3) ship with the platform. A template never changes: a "
    "different questionnaire is a new one, and every survey keeps a copy of its own."))


@blp.route("/questionnaires")
class Questionnaires(MethodView):
    @staff_only
    @blp.arguments(QuestionnaireQuerySchema, location="query")
    @blp.alt_response(200, schema=QuestionnairePageSchema, success=True)
    def get(self, query):
        """Questionnaires, the standard ones first; filter by purpose (reaction, follow_up)."""
        return call("feedback", "list_questionnaires", query)

    @roles_required("supervisor", "specialist")
    @blp.arguments(QuestionnaireCreateSchema)
    @blp.alt_response(201, schema=QuestionnaireSchema, success=True)
    def post(self, questionnaire):
        """Write a questionnaire of your own (keys unique; choice items need two or more options)."""
        return call("feedback", "create_questionnaire", questionnaire), 201


@blp.route("/questionnaires/<questionnaire_id>")
class QuestionnaireById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=QuestionnaireSchema, success=True)
    def get(self, questionnaire_id):
        """One questionnaire with its sections and items."""
        return call("feedback", "get_questionnaire", questionnaire_id)
