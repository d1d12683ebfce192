"""Surveys, their responses, reports, trends and text analysis; supervisors' and peers' one-time
links (feedback service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import PageQuerySchema, instance
from services.feedback.contract import (AnswerReceiptSchema, AnswersSchema, InvitationCreateSchema,
                                        InvitationFormSchema, InvitationPageSchema, InvitationSchema,
                                        RecordingSchema, ResponsePageSchema, ResponseQuerySchema, ResponseSchema,
                                        ScopeQuerySchema, SurveyOpenSchema, SurveyPageSchema, SurveyQuerySchema,
                                        SurveyReportSchema, SurveySchema, TextAnalysisSchema, TrendSchema)

from gateway.auth import any_role, roles_required, staff_only
from gateway.resources import call

blp = Blueprint("surveys", __name__, description=(
    "Surveys put a questionnaire to a session's attendees. When delivery completes a session, its reaction "
    "survey opens for those present or late (FEEDBACK_SURVEY_OPEN_DAYS, default 7) and its follow-up is "
    "scheduled FEEDBACK_FOLLOW_UP_WEEKS (default 6) later. Learners answer once; anonymous surveys keep no "
    "learner id with the answers. Results of fewer than FEEDBACK_MIN_GROUP_SIZE (default 3) responses are "
    "withheld. Trainers see their own sessions; learners the surveys put to them."))

ORGANISERS = ("supervisor", "specialist", "trainer")


@blp.route("/surveys")
class Surveys(MethodView):
    @any_role
    @blp.arguments(SurveyQuerySchema, location="query")
    @blp.alt_response(200, schema=SurveyPageSchema, success=True)
    def get(self, query):
        """Surveys, latest first; filter by status, kind, session, course or trainer."""
        return call("feedback", "list_surveys", query)

    @roles_required(*ORGANISERS)
    @blp.arguments(SurveyOpenSchema)
    @blp.alt_response(201, schema=SurveySchema, success=True)
    def post(self, survey):
        """Open a survey by hand for the learners you name (trainers: for their own sessions)."""
        return call("feedback", "open_survey", instance(SurveyOpenSchema).dump(survey)), 201


@blp.route("/surveys/<survey_id>")
class SurveyById(MethodView):
    @any_role
    @blp.alt_response(200, schema=SurveySchema, success=True)
    def get(self, survey_id):
        """One survey with its questions; a learner also sees whether they have answered."""
        return call("feedback", "get_survey", survey_id)


@blp.route("/surveys/<survey_id>/close")
class CloseSurvey(MethodView):
    @roles_required(*ORGANISERS)
    @blp.alt_response(200, schema=SurveySchema, success=True)
    def post(self, survey_id):
        """Close an open survey before its end."""
        return call("feedback", "close_survey", survey_id)


@blp.route("/surveys/<survey_id>/responses")
class SurveyResponses(MethodView):
    @any_role
    @blp.arguments(ResponseQuerySchema, location="query")
    @blp.alt_response(200, schema=ResponsePageSchema, success=True)
    def get(self, query, survey_id):
        """The answers: staff all (an anonymous survey's from the minimum group size on, in no particular
        order, else 409); a learner their own named answers."""
        return call("feedback", "list_responses", survey_id, query)

    @roles_required("learner")
    @blp.arguments(AnswersSchema)
    @blp.alt_response(201, schema=ResponseSchema, success=True)
    def post(self, answers, survey_id):
        """Answer a survey you attended, once (409 the second time).

        Publishes FeedbackSubmitted.v2, and FeedbackSubmitted.v1 beside it for a named answer that rates
        the four standard sections."""
        return call("feedback", "submit_response", survey_id, answers), 201


@blp.route("/surveys/<survey_id>/recordings")
class SurveyRecordings(MethodView):
    @roles_required(*ORGANISERS)
    @blp.arguments(RecordingSchema)
    @blp.alt_response(201, schema=ResponseSchema, success=True)
    def post(self, recording, survey_id):
        """Record feedback given face to face or as an online rating; naming a learner counts as their answer."""
        return call("feedback", "record_response", survey_id, recording), 201


@blp.route("/surveys/<survey_id>/report")
class SurveyReport(MethodView):
    @staff_only
    @blp.alt_response(200, schema=SurveyReportSchema, success=True)
    def get(self, survey_id):
        """Response rate, mean and distribution per question and section, net promoter score."""
        return call("feedback", "survey_report", survey_id)


@blp.route("/surveys/<survey_id>/text-analysis")
class SurveyTextAnalysis(MethodView):
    @staff_only
    @blp.alt_response(200, schema=TextAnalysisSchema, success=True)
    def get(self, survey_id):
        """Keywords, themes and the positive/negative split of the open answers (English and Chinese)."""
        return call("feedback", "survey_text_analysis", survey_id)


@blp.route("/surveys/trends")
class SurveyTrends(MethodView):
    @staff_only
    @blp.arguments(ScopeQuerySchema, location="query")
    @blp.alt_response(200, schema=TrendSchema, success=True)
    def get(self, query):
        """Section means and net promoter score session by session, of a course or of a trainer."""
        return call("feedback", "trends", query)


@blp.route("/surveys/text-analysis")
class ScopeTextAnalysis(MethodView):
    @staff_only
    @blp.arguments(ScopeQuerySchema, location="query")
    @blp.alt_response(200, schema=TextAnalysisSchema, success=True)
    def get(self, query):
        """Text analysis of the open answers across a course's or a trainer's sessions."""
        return call("feedback", "text_analysis", query)


@blp.route("/surveys/<survey_id>/invitations")
class SurveyInvitations(MethodView):
    @any_role
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=InvitationPageSchema, success=True)
    def get(self, query, survey_id):
        """Supervisors and peers invited to a follow-up (a learner: those they named)."""
        return call("feedback", "list_invitations", survey_id, query)

    @roles_required("learner", *ORGANISERS)
    @blp.arguments(InvitationCreateSchema)
    @blp.alt_response(201, schema=InvitationSchema, success=True)
    def post(self, invitation, survey_id):
        """Name a supervisor or peer to answer a follow-up about a learner (learners: about themselves).

        Once the follow-up is open they get an email with a one-time link."""
        return call("feedback", "invite", survey_id, invitation), 201


@blp.route("/surveys/invitations/<token>")
class InvitationLink(MethodView):
    @blp.doc(security=[])
    @blp.alt_response(200, schema=InvitationFormSchema, success=True)
    def get(self, token):
        """The questions behind an invitation's link (no sign-in: the link is the credential)."""
        return call("feedback", "invitation_form", token)

    @blp.doc(security=[])
    @blp.arguments(AnswersSchema)
    @blp.alt_response(201, schema=AnswerReceiptSchema, success=True)
    def post(self, answers, token):
        """Answer through an invitation's link, once: a second answer, or a retry, is 409 (the link is used up,
        so Idempotency-Key has nothing to add here)."""
        return call("feedback", "answer_invitation", token, answers), 201
