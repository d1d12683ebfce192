"""archive: one privacy-protected training archive per learner. Entrypoints only."""
from shared.errors import validated
from shared.identity import STAFF_ROLES
from shared.schemas import PageQuerySchema
from shared.shell import Events, PlatformService, Store, handles, rpc

from services.archive import learners, plan_log, store
from services.archive.contract import (ContactListSchema, ContactQuerySchema, LearnerCreateSchema,
                                       LearnerPageSchema, LearnerQuerySchema, LearnerSchema, PlanLogPageSchema)

REGISTRARS = ("supervisor", "specialist")


class ArchiveService(PlatformService):
    name = "archive"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @handles("planning", "PlanApproved.v1", consumer="plan-history")
    def on_plan_approved(self, envelope, data):
        plan_log.log_plan_approval(self.db, envelope, data)

    @rpc
    def register_learner(self, payload):
        caller = self.caller.require(*REGISTRARS)
        learner = learners.register_learner(self.db, validated(LearnerCreateSchema(), payload), caller,
                                            self.events.new)
        return LearnerSchema().dump(learner)

    @rpc
    def get_learner(self, learner_id):
        return LearnerSchema().dump(learners.get_learner(self.db, learner_id, self.caller.require()))

    @rpc
    def contact_details(self, query):
        """Other services resolve whom to send a message to; only services may ask."""
        self.caller.require_service()
        learner_ids = validated(ContactQuerySchema(), query)["learner_ids"]
        return ContactListSchema().dump({"items": learners.contacts(self.db, learner_ids)})

    @rpc
    def list_learners(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = learners.list_learners(self.db, **validated(LearnerQuerySchema(), query or {}))
        return LearnerPageSchema().dump({"total": total, "items": items})

    @rpc
    def list_plan_log(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = plan_log.list_plan_log(self.db, **validated(PageQuerySchema(), query or {}))
        return PlanLogPageSchema().dump({"total": total, "items": items})
