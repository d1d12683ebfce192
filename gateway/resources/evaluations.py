"""Effect evaluation reports on Kirkpatrick's four levels, and business indicators (feedback service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.feedback.contract import (EvaluationCompletionSchema, EvaluationCreateSchema, EvaluationPageSchema,
                                        EvaluationQuerySchema, EvaluationSchema, IndicatorCreateSchema,
                                        IndicatorPageSchema, IndicatorQuerySchema, IndicatorSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("evaluations", __name__, description=(
    "Evaluation reports of a session, a course or a plan: 1 reaction (survey results), 2 learning (exam "
    "results, pre/post gain), 3 behaviour (follow-ups by learners, supervisors and peers), 4 results (business "
    "indicators before and after). draft → completed; completing publishes EvaluationCompleted.v2, whose weak "
    "topics planning turns into needs."))

EVALUATORS = ("supervisor", "specialist", "manager")


@blp.route("/evaluations")
class Evaluations(MethodView):
    @staff_only
    @blp.arguments(EvaluationQuerySchema, location="query")
    @blp.alt_response(200, schema=EvaluationPageSchema, success=True)
    def get(self, query):
        """Evaluation reports, newest first; filter by scope, status, course or plan."""
        return call("feedback", "list_evaluations", query)

    @roles_required(*EVALUATORS)
    @blp.arguments(EvaluationCreateSchema)
    @blp.alt_response(201, schema=EvaluationSchema, success=True)
    def post(self, request):
        """Compute a draft report of a session, a course or a plan (404 if nothing belongs to it)."""
        return call("feedback", "create_evaluation", request), 201


@blp.route("/evaluations/<evaluation_id>")
class EvaluationById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=EvaluationSchema, success=True)
    def get(self, evaluation_id):
        """One report with its four levels."""
        return call("feedback", "get_evaluation", evaluation_id)


@blp.route("/evaluations/<evaluation_id>/refresh")
class RefreshEvaluation(MethodView):
    @roles_required(*EVALUATORS)
    @blp.alt_response(200, schema=EvaluationSchema, success=True)
    def post(self, evaluation_id):
        """Compute a draft report again with the data that has come in since."""
        return call("feedback", "refresh_evaluation", evaluation_id)


@blp.route("/evaluations/<evaluation_id>/complete")
class CompleteEvaluation(MethodView):
    @roles_required(*EVALUATORS)
    @blp.arguments(EvaluationCompletionSchema)
    @blp.alt_response(200, schema=EvaluationSchema, success=True)
    def post(self, completion, evaluation_id):
        """Complete a draft report (computed a last time); publishes EvaluationCompleted.v2."""
        return call("feedback", "complete_evaluation", evaluation_id, completion)


@blp.route("/evaluations/indicators")
class Indicators(MethodView):
    @staff_only
    @blp.arguments(IndicatorQuerySchema, location="query")
    @blp.alt_response(200, schema=IndicatorPageSchema, success=True)
    def get(self, query):
        """Business indicators (level 4), newest first; filter by course."""
        return call("feedback", "list_indicators", query)

    @roles_required(*EVALUATORS)
    @blp.arguments(IndicatorCreateSchema)
    @blp.alt_response(201, schema=IndicatorSchema, success=True)
    def post(self, indicator):
        """Enter a course's business indicator before and after the training (e.g. support tickets, adoption)."""
        return call("feedback", "record_indicator", indicator), 201
