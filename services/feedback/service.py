"""feedback: questionnaires, surveys and their analysis, effect evaluation on four levels,
improvement actions. Entrypoints only."""
from nameko.dependency_providers import Config

from shared.config import setting
from shared.errors import InvalidInput, validated
from shared.events import utc_now
from shared.identity import STAFF_ROLES
from shared.notifications import notifier_from_env
from shared.schemas import PageQuerySchema, instance
from shared.shell import Events, PlatformService, ServiceRpc, Store, handles, rpc, singleton_timer

from services.feedback import (actions, analysis, erasure, evaluations, indicators, invitations, learning, messages,
                               questionnaires, responses, store, surveys)
from services.feedback.contract import (ActionNoteSchema, AnswersSchema, EvaluationCompletionSchema,
                                        EvaluationCreateSchema, EvaluationPageSchema, EvaluationQuerySchema,
                                        EvaluationSchema, ImprovementActionCreateSchema, ImprovementActionPageSchema,
                                        ImprovementActionQuerySchema, ImprovementActionSchema, IndicatorCreateSchema,
                                        IndicatorPageSchema, IndicatorQuerySchema, IndicatorSchema,
                                        InvitationCreateSchema, InvitationFormSchema, InvitationPageSchema,
                                        InvitationSchema, QuestionnaireCreateSchema, QuestionnairePageSchema,
                                        QuestionnaireQuerySchema, QuestionnaireSchema, RecordingSchema,
                                        ResponsePageSchema, ResponseQuerySchema, ResponseSchema, ScopeQuerySchema,
                                        SurveyOpenSchema, SurveyPageSchema, SurveyQuerySchema, SurveyReportSchema,
                                        SurveySchema, TextAnalysisSchema, TrendSchema)

AUTHORS = ("supervisor", "specialist")  # write questionnaires
ORGANISERS = ("supervisor", "specialist", "trainer")  # open, close and record surveys (trainers: their own)
EVALUATORS = ("supervisor", "specialist", "manager")  # reports, indicators, improvement actions
ACTION_MOVES = ("start", "complete", "cancel")


class FeedbackService(PlatformService):
    name = "feedback"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    config = Config()
    archive = ServiceRpc("archive")

    # ---- events in ----

    @handles("delivery", "SessionScheduled.v1", consumer="known-sessions")
    def on_session_scheduled(self, envelope, data):
        surveys.on_session_scheduled(self.db, data)

    @handles("delivery", "SessionCompleted.v1", consumer="open-surveys")
    def on_session_completed(self, envelope, data):
        surveys.on_session_completed(self.db, data, self._rules(), utc_now())

    @handles("assessment", "ExamGraded.v1", consumer="learning-results")
    def on_exam_graded(self, envelope, data):
        learning.record_exam_result(self.db, data)

    @handles("archive", "LearnerErased.v1", consumer="erase-learners")
    def on_learner_erased(self, envelope, data):
        erasure.erase_learner(self.db, data["learner_id"], envelope["id"])

    @singleton_timer(setting(None, "FEEDBACK_TIMER_INTERVAL_SECONDS", float, default=300))
    def survey_round(self):
        """Open due follow-ups, close surveys past their end, resolve answers a crash left half
        written, send invitations and reminders."""
        now, rules, notifier = utc_now(), self._rules(), notifier_from_env(notices=self.db[store.NOTICES])
        surveys.due_transitions(self.db, now)
        responses.resolve_stale_claims(self.db, now)
        invitations.resolve_stale_claims(self.db, now)
        messages.send_due(self.db, notifier, self._contacts, rules, now)
        invitations.send_due(self.db, notifier, self._contacts, rules, now)

    # ---- questionnaires ----

    @rpc
    def create_questionnaire(self, payload):
        caller = self.caller.require(*AUTHORS)
        request = validated(QuestionnaireCreateSchema, payload)
        return instance(QuestionnaireSchema).dump(
            questionnaires.create_questionnaire(self.db, request, caller, utc_now()))

    @rpc
    def get_questionnaire(self, questionnaire_id):
        self.caller.require(*STAFF_ROLES)
        return instance(QuestionnaireSchema).dump(questionnaires.get_questionnaire(self.db, questionnaire_id))

    @rpc
    def list_questionnaires(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = questionnaires.list_questionnaires(self.db, **validated(QuestionnaireQuerySchema, query or {}))
        return instance(QuestionnairePageSchema).dump({"total": total, "items": items})

    # ---- surveys ----

    @rpc
    def open_survey(self, payload):
        caller = self.caller.require(*ORGANISERS)
        survey = surveys.open_survey(self.db, validated(SurveyOpenSchema, payload), caller, self._rules(), utc_now())
        return instance(SurveySchema).dump(surveys.survey_view(self.db, survey, caller))

    @rpc
    def get_survey(self, survey_id):
        caller = self.caller.require()
        survey = surveys.visible_survey(self.db, survey_id, caller)
        return instance(SurveySchema).dump(surveys.survey_view(self.db, survey, caller))

    @rpc
    def list_surveys(self, query=None):
        caller = self.caller.require()
        total, items = surveys.list_surveys(self.db, caller, **validated(SurveyQuerySchema, query or {}))
        return instance(SurveyPageSchema).dump({"total": total, "items": items})

    @rpc
    def close_survey(self, survey_id):
        caller = self.caller.require(*ORGANISERS)
        survey = surveys.close_survey(self.db, survey_id, caller, utc_now())
        return instance(SurveySchema).dump(surveys.survey_view(self.db, survey, caller))

    @rpc
    def submit_response(self, survey_id, payload):
        caller = self.caller.require("learner")
        response = responses.submit(self.db, survey_id, validated(AnswersSchema, payload), caller,
                                    self.events.new, utc_now())
        return instance(ResponseSchema).dump(response)

    @rpc
    def record_response(self, survey_id, payload):
        caller = self.caller.require(*ORGANISERS)
        response = responses.record(self.db, survey_id, validated(RecordingSchema, payload), caller,
                                    self.events.new, utc_now())
        return instance(ResponseSchema).dump(response)

    @rpc
    def list_responses(self, survey_id, query=None):
        caller = self.caller.require()
        total, items = responses.list_responses(self.db, survey_id, caller, self._rules().min_group_size,
                                                **validated(ResponseQuerySchema, query or {}))
        return instance(ResponsePageSchema).dump({"total": total, "items": items})

    @rpc
    def survey_report(self, survey_id):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(SurveyReportSchema).dump(analysis.survey_report(self.db, survey_id, caller,
                                                                        self._rules().min_group_size))

    @rpc
    def survey_text_analysis(self, survey_id):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(TextAnalysisSchema).dump(analysis.text_analysis(self.db, caller, self._rules().min_group_size,
                                                                        survey_id=survey_id))

    @rpc
    def trends(self, query):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(TrendSchema).dump(analysis.trends(self.db, caller, self._rules().min_group_size,
                                                          **validated(ScopeQuerySchema, query or {})))

    @rpc
    def text_analysis(self, query):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(TextAnalysisSchema).dump(analysis.text_analysis(self.db, caller, self._rules().min_group_size,
                                                                        **validated(ScopeQuerySchema, query or {})))

    # ---- supervisors and peers (level 3) ----

    @rpc
    def invite(self, survey_id, payload):
        caller = self.caller.require("learner", *ORGANISERS)
        invitation = invitations.nominate(self.db, survey_id, validated(InvitationCreateSchema, payload), caller,
                                          utc_now())
        return instance(InvitationSchema).dump(invitation)

    @rpc
    def list_invitations(self, survey_id, query=None):
        caller = self.caller.require()
        total, items = invitations.list_invitations(self.db, survey_id, caller,
                                                    **validated(PageQuerySchema, query or {}))
        return instance(InvitationPageSchema).dump({"total": total, "items": items})

    @rpc
    def invitation_form(self, token):
        """No caller identity: the one-time token in the invitation's link is the credential."""
        return instance(InvitationFormSchema).dump(invitations.form(self.db, token, utc_now()))

    @rpc
    def answer_invitation(self, token, payload):
        """No caller identity: the one-time token in the invitation's link is the credential."""
        response = invitations.answer(self.db, token, validated(AnswersSchema, payload), self.events.new,
                                      utc_now())
        return {"id": response["_id"], "survey_id": response["survey_id"]}

    # ---- evaluation (four levels) ----

    @rpc
    def record_indicator(self, payload):
        caller = self.caller.require(*EVALUATORS)
        indicator = indicators.record_indicator(self.db, validated(IndicatorCreateSchema, payload), caller,
                                                utc_now())
        return instance(IndicatorSchema).dump(indicator)

    @rpc
    def list_indicators(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = indicators.list_indicators(self.db, **validated(IndicatorQuerySchema, query or {}))
        return instance(IndicatorPageSchema).dump({"total": total, "items": items})

    @rpc
    def create_evaluation(self, payload):
        caller = self.caller.require(*EVALUATORS)
        evaluation = evaluations.create_evaluation(self.db, validated(EvaluationCreateSchema, payload), caller,
                                                   self._rules().min_group_size, utc_now())
        return instance(EvaluationSchema).dump(evaluation)

    @rpc
    def get_evaluation(self, evaluation_id):
        self.caller.require(*STAFF_ROLES)
        return instance(EvaluationSchema).dump(evaluations.get_evaluation(self.db, evaluation_id))

    @rpc
    def list_evaluations(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = evaluations.list_evaluations(self.db, **validated(EvaluationQuerySchema, query or {}))
        return instance(EvaluationPageSchema).dump({"total": total, "items": items})

    @rpc
    def refresh_evaluation(self, evaluation_id):
        caller = self.caller.require(*EVALUATORS)
        return instance(EvaluationSchema).dump(evaluations.refresh_evaluation(self.db, evaluation_id, caller,
                                                                              self._rules().min_group_size, utc_now()))

    @rpc
    def complete_evaluation(self, evaluation_id, payload=None):
        caller = self.caller.require(*EVALUATORS)
        evaluation = evaluations.complete_evaluation(
            self.db, evaluation_id, validated(EvaluationCompletionSchema, payload or {}), caller,
            self.events.new, self._rules().min_group_size, utc_now())
        return instance(EvaluationSchema).dump(evaluation)

    # ---- improvement actions ----

    @rpc
    def raise_improvement_action(self, payload):
        caller = self.caller.require(*EVALUATORS)
        action = actions.raise_action(self.db, validated(ImprovementActionCreateSchema, payload), caller,
                                      self.events.new, utc_now())
        return instance(ImprovementActionSchema).dump(actions.action_view(action, utc_now().date()))

    @rpc
    def get_improvement_action(self, action_id):
        self.caller.require(*STAFF_ROLES)
        return instance(ImprovementActionSchema).dump(actions.action_view(actions.get_action(self.db, action_id),
                                                                          utc_now().date()))

    @rpc
    def list_improvement_actions(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = actions.list_actions(self.db, **validated(ImprovementActionQuerySchema, query or {}))
        today = utc_now().date()
        items = [actions.action_view(item, today) for item in items]
        return instance(ImprovementActionPageSchema).dump({"total": total, "items": items})

    @rpc
    def move_improvement_action(self, action_id, move, payload=None):
        caller = self.caller.require(*STAFF_ROLES)
        if move not in ACTION_MOVES:
            raise InvalidInput(f"unknown move {move!r}", {"fields": {"move": [f"one of {list(ACTION_MOVES)}"]}})
        note = validated(ActionNoteSchema, payload or {})["note"]
        action = actions.move_action(self.db, action_id, move, note, caller, utc_now())
        return instance(ImprovementActionSchema).dump(actions.action_view(action, utc_now().date()))

    # ---- helpers ----

    def _contacts(self, learner_ids):
        return self.archive.contact_details({"learner_ids": list(learner_ids)})["items"]

    def _rules(self):
        def get(key, cast, default):
            return setting(self.config, key, cast, default=default)

        return surveys.Rules(
            questionnaire_id=get("FEEDBACK_QUESTIONNAIRE", str, "standard-reaction"),
            follow_up_questionnaire_id=get("FEEDBACK_FOLLOW_UP_QUESTIONNAIRE", str, "standard-follow-up"),
            open_days=get("FEEDBACK_SURVEY_OPEN_DAYS", float, 7),
            anonymous=get("FEEDBACK_ANONYMOUS", str, "false").lower() in ("1", "true", "yes"),
            follow_up_weeks=get("FEEDBACK_FOLLOW_UP_WEEKS", float, 6),
            reminder_after_hours=get("FEEDBACK_REMINDER_AFTER_HOURS", float, 72),
            min_group_size=get("FEEDBACK_MIN_GROUP_SIZE", int, 3),
            channels=tuple(filter(None, get("FEEDBACK_CHANNELS", str, "email").replace(" ", "").split(","))),
            public_url=get("FEEDBACK_PUBLIC_URL", str, "http://127.0.0.1:8080").rstrip("/"))
