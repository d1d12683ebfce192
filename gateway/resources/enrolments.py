"""Enrolment in sessions: seats, the waiting list, CSV imports and learners' own enrolments
(delivery service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema
from services.delivery.contract import (EnrolmentCancelSchema, EnrolmentImportSchema, EnrolmentPageSchema,
                                       EnrolmentQuerySchema, EnrolmentSchema, EnrolSchema,
                                       LearnerEnrolmentQuerySchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call
from gateway.resources.needs import uploaded_csv

blp = Blueprint("enrolments", __name__, description=(
    "Seats in sessions. A learner enrols and cancels only themselves; trainers manage the enrolments of "
    "their sessions, supervisors and specialists all. A full session puts the learner on its waiting "
    "list; a freed seat goes to the head of the list automatically. Enrolled learners get a calendar "
    "invitation by email, reminders before the start (DELIVERY_REMINDER_DAYS) and word of every change."))

MANAGING = ("supervisor", "specialist", "trainer")
CSV_EXAMPLE = "learner_id\nada.lovelace\ngrace.hopper\n"


@blp.route("/sessions/<session_id>/enrolments")
class SessionEnrolments(MethodView):
    @staff_only
    @blp.arguments(EnrolmentQuerySchema, location="query")
    @blp.alt_response(200, schema=EnrolmentPageSchema, success=True)
    def get(self, query, session_id):
        """The session's enrolments (enrolled, waiting, cancelled) in request order."""
        return call("delivery", "list_enrolments", session_id, query)

    @any_role
    @blp.arguments(EnrolSchema)
    @blp.alt_response(201, schema=EnrolmentSchema, success=True)
    def post(self, request, session_id):
        """Enrol: learners themselves (no body needed), staff a registered learner by `learner_id`.
        A seat publishes LearnerEnrolled.v1; a full session answers `waiting` with the position."""
        return call("delivery", "enrol", session_id, request), 201


@blp.route("/sessions/<session_id>/enrolments/import")
class EnrolmentImport(MethodView):
    @roles_required(*MANAGING)
    @blp.doc(requestBody={"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}}}})
    @blp.alt_response(201, schema=EnrolmentImportSchema, success=True)
    def post(self, session_id):
        """Enrol the registered learners of a CSV (`learner_id` column), all or nothing: any unknown,
        repeated or already placed learner refuses the file, and the 422 lists each bad row (header = 1).
        Beyond capacity, learners go to the waiting list in file order."""
        return call("delivery", "import_enrolments", session_id, uploaded_csv()), 201


@blp.route("/sessions/<session_id>/enrolments/<learner_id>/cancel")
class CancelEnrolment(MethodView):
    @any_role
    @blp.arguments(EnrolmentCancelSchema)
    @blp.alt_response(200, schema=EnrolmentSchema, success=True)
    def post(self, request, session_id, learner_id):
        """Give up a seat or a place on the waiting list. A seat publishes EnrollmentCancelled.v1 and goes
        to the head of the waiting list."""
        return call("delivery", "cancel_enrolment", session_id, learner_id, request)


@blp.route("/sessions/<session_id>/waiting-list")
class WaitingList(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=EnrolmentPageSchema, success=True)
    def get(self, query, session_id):
        """The waiting list in order: position 1 gets the next free seat."""
        return call("delivery", "waiting_list", session_id, query)


@blp.route("/enrolments")
class LearnerEnrolments(MethodView):
    @any_role
    @blp.arguments(LearnerEnrolmentQuerySchema, location="query")
    @blp.alt_response(200, schema=EnrolmentPageSchema, success=True)
    def get(self, query):
        """A learner's enrolments with their sessions, newest first: learners their own, staff anyone's
        (`learner_id`)."""
        return call("delivery", "learner_enrolments", query)
