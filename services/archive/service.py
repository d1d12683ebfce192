"""archive: one privacy-protected training archive per learner. Entrypoints only."""
from shared.errors import validated
from shared.schemas import ActorSchema, PageQuerySchema
from shared.service import Events, PlatformService, Store, handles, rpc

from services.archive import learners, plan_log, store
from services.archive.schemas import (LearnerCreateSchema, LearnerPageSchema, LearnerQuerySchema,
                                      LearnerSchema, PlanLogPageSchema)


class ArchiveService(PlatformService):
    name = "archive"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @handles("planning", "PlanApproved.v1")
    def on_plan_approved(self, envelope, data):
        plan_log.log_plan_approval(self.db, envelope, data)

    @rpc
    def register_learner(self, payload, actor):
        learner = learners.register_learner(self.db, validated(LearnerCreateSchema(), payload),
                                            validated(ActorSchema(), actor), self.events.new)
        self.events.flush(store.LEARNERS, learner["_id"])
        return LearnerSchema().dump(learner)

    @rpc
    def get_learner(self, learner_id, actor):
        return LearnerSchema().dump(learners.get_learner(self.db, learner_id, validated(ActorSchema(), actor)))

    @rpc
    def list_learners(self, query=None):
        total, items = learners.list_learners(self.db, **validated(LearnerQuerySchema(), query or {}))
        return LearnerPageSchema().dump({"total": total, "items": items})

    @rpc
    def list_plan_log(self, query=None):
        total, items = plan_log.list_plan_log(self.db, **validated(PageQuerySchema(), query or {}))
        return PlanLogPageSchema().dump({"total": total, "items": items})
