"""feedback: session questionnaires, learners' responses and their statistics. Entrypoints only."""
from shared.errors import validated
from shared.schemas import ActorSchema, PageQuerySchema
from shared.service import Events, PlatformService, Store, handles, rpc

from services.feedback import questionnaires, responses, store, summary
from services.feedback.schemas import (FeedbackResponsePageSchema, FeedbackResponseSchema,
                                       FeedbackSubmissionSchema, FeedbackSummarySchema,
                                       QuestionnairePageSchema, QuestionnaireSchema)


class FeedbackService(PlatformService):
    name = "feedback"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @handles("delivery", "SessionScheduled.v1")
    def on_session_scheduled(self, envelope, data):
        questionnaires.open_questionnaire(self.db, data)

    @rpc
    def list_questionnaires(self, query=None):
        total, items = questionnaires.list_questionnaires(self.db, **validated(PageQuerySchema(), query or {}))
        return QuestionnairePageSchema().dump({"total": total, "items": items})

    @rpc
    def get_questionnaire(self, questionnaire_id):
        return QuestionnaireSchema().dump(questionnaires.get_questionnaire(self.db, questionnaire_id))

    @rpc
    def submit_feedback(self, questionnaire_id, payload, actor):
        answers = validated(FeedbackSubmissionSchema(), payload)
        response = responses.submit_feedback(self.db, questionnaire_id, answers, validated(ActorSchema(), actor),
                                             self.events.new)
        self.events.flush(store.RESPONSES, response["_id"])
        return FeedbackResponseSchema().dump(response)

    @rpc
    def list_responses(self, questionnaire_id, query=None):
        total, items = responses.list_responses(self.db, questionnaire_id,
                                                **validated(PageQuerySchema(), query or {}))
        return FeedbackResponsePageSchema().dump({"total": total, "items": items})

    @rpc
    def get_summary(self, questionnaire_id):
        ratings = responses.ratings_of(self.db, questionnaire_id)
        return FeedbackSummarySchema().dump(dict(summary.summarize(ratings), questionnaire_id=questionnaire_id))
