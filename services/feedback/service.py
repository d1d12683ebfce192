"""feedback: session questionnaires, learners' responses and their statistics. Entrypoints only."""
from shared.errors import validated
from shared.identity import STAFF_ROLES
from shared.schemas import PageQuerySchema
from shared.shell import Events, PlatformService, Store, handles, rpc

from services.feedback import questionnaires, responses, store, summary
from services.feedback.contract import (FeedbackResponsePageSchema, FeedbackResponseSchema,
                                        FeedbackSubmissionSchema, FeedbackSummarySchema,
                                        QuestionnairePageSchema, QuestionnaireSchema)


class FeedbackService(PlatformService):
    name = "feedback"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @handles("delivery", "SessionScheduled.v1", consumer="open-questionnaires")
    def on_session_scheduled(self, envelope, data):
        questionnaires.open_questionnaire(self.db, data)

    @rpc
    def list_questionnaires(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = questionnaires.list_questionnaires(self.db, **validated(PageQuerySchema(), query or {}))
        return QuestionnairePageSchema().dump({"total": total, "items": items})

    @rpc
    def get_questionnaire(self, questionnaire_id):
        self.caller.require()
        return QuestionnaireSchema().dump(questionnaires.get_questionnaire(self.db, questionnaire_id))

    @rpc
    def submit_feedback(self, questionnaire_id, payload):
        caller = self.caller.require("learner")
        answers = validated(FeedbackSubmissionSchema(), payload)
        response = responses.submit_feedback(self.db, questionnaire_id, answers, caller, self.events.new)
        return FeedbackResponseSchema().dump(response)

    @rpc
    def list_responses(self, questionnaire_id, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = responses.list_responses(self.db, questionnaire_id,
                                                **validated(PageQuerySchema(), query or {}))
        return FeedbackResponsePageSchema().dump({"total": total, "items": items})

    @rpc
    def get_summary(self, questionnaire_id):
        self.caller.require(*STAFF_ROLES)
        ratings = responses.ratings_of(self.db, questionnaire_id)
        return FeedbackSummarySchema().dump(dict(summary.summarize(ratings), questionnaire_id=questionnaire_id))
