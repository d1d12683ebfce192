"""planning: needs research, annual plans and their approval. Entrypoints only."""
from shared.errors import validated
from shared.service import Events, PlatformService, Store, rpc

from services.planning import plans, store
from shared.schemas import ActorSchema

from services.planning.schemas import (DecisionSchema, PlanCreateSchema, PlanPageSchema,
                                       PlanQuerySchema, PlanSchema, RejectionSchema)


class PlanningService(PlatformService):
    name = "planning"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @rpc
    def create_plan(self, payload, actor):
        plan = plans.create_plan(self.db, validated(PlanCreateSchema(), payload),
                                 validated(ActorSchema(), actor))
        return PlanSchema().dump(plan)

    @rpc
    def get_plan(self, plan_id):
        return PlanSchema().dump(plans.get_plan(self.db, plan_id))

    @rpc
    def list_plans(self, query=None):
        total, items = plans.list_plans(self.db, **validated(PlanQuerySchema(), query or {}))
        return PlanPageSchema().dump({"total": total, "items": items})

    @rpc
    def submit_plan(self, plan_id, actor):
        plan = plans.submit_plan(self.db, plan_id, validated(ActorSchema(), actor), self.events.new)
        return self._published(plan)

    @rpc
    def approve_plan(self, plan_id, payload, actor):
        decision = validated(DecisionSchema(), payload or {})
        plan = plans.approve_plan(self.db, plan_id, validated(ActorSchema(), actor),
                                  decision["comment"], self.events.new)
        return self._published(plan)

    @rpc
    def reject_plan(self, plan_id, payload, actor):
        decision = validated(RejectionSchema(), payload or {})
        plan = plans.reject_plan(self.db, plan_id, validated(ActorSchema(), actor),
                                 decision["comment"], self.events.new)
        return self._published(plan)

    def _published(self, plan):
        self.events.flush(store.PLANS, plan["_id"])
        return PlanSchema().dump(plan)
