"""Retrieval and analysis across learners' archives (archive service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.archive.contract import (AnalyticsQuerySchema, AnalyticsSchema, PlanLogPageSchema,
                                      SearchQuerySchema, SearchResultSchema, StatementPageSchema,
                                      StatementQuerySchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("archive", __name__, description="Search and analytics across learners' training archives; "
                                                 "xAPI statements for a learning record store.")


@blp.route("/archive/search")
class Search(MethodView):
    @roles_required("supervisor", "auditor", "trainer")
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.alt_response(200, schema=SearchResultSchema, success=True)
    def get(self, query):
        """Find training records (one learner in one session), newest session first.

        Filter by the learner (user_type, organisation, department, industry, exact email or
        name, learner_id), the course (`course`: part of a title or topic; session_id, format),
        time (`since`/`until` on the session's start), trainer, result (passed, failed, none),
        attendance and enrolment. `classify_by` adds counts of every match per value of a class.
        Trainers find only the records of their own sessions. Each search is audited."""
        return call("archive", "search_records", query)


@blp.route("/archive/analytics")
class Analytics(MethodView):
    @roles_required("supervisor", "auditor", "manager", "specialist")
    @blp.arguments(AnalyticsQuerySchema, location="query")
    @blp.alt_response(200, schema=AnalyticsSchema, success=True)
    def get(self, query):
        """Completion and pass rates, training hours and average scores, in total and grouped by
        course, user type, company, department or period; score trends per period; certificates
        expiring within `expiring_within_days`; learners enrolled who never completed a session.
        Erased learners count anonymously. Only supervisors and auditors see learner ids."""
        return call("archive", "analytics", query)


@blp.route("/archive/xapi")
class Statements(MethodView):
    @roles_required("supervisor", "auditor")
    @blp.arguments(StatementQuerySchema, location="query")
    @blp.alt_response(200, schema=StatementPageSchema, success=True)
    def get(self, query):
        """Every learner's training records in a time range as xAPI 1.0.3 statements, oldest
        first, for a learning record store (statement ids are stable)."""
        return call("archive", "list_statements", query)


@blp.route("/archive/plan-log")
class PlanLog(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=PlanLogPageSchema, success=True)
    def get(self, query):
        """Approved plans as the archive recorded them, newest first."""
        return call("archive", "list_plan_log", query)
