"""delivery: sessions, enrolment, attendance. Entrypoints only."""
from shared.errors import validated
from shared.identity import STAFF_ROLES
from shared.schemas import PageQuerySchema
from shared.shell import Events, PlatformService, Store, handles, rpc

from services.delivery import intake, sessions, store
from services.delivery.contract import (ApprovedPlanPageSchema, ApprovedPlanSchema, SessionCreateSchema,
                                        SessionPageSchema, SessionQuerySchema, SessionSchema)

SCHEDULERS = ("supervisor", "specialist", "trainer")


class DeliveryService(PlatformService):
    name = "delivery"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @handles("planning", "PlanApproved.v1", consumer="approved-plans")
    def on_plan_approved(self, envelope, data):
        intake.record_approved_plan(self.db, data)

    @rpc
    def list_approved_plans(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = intake.list_approved_plans(self.db, **validated(PageQuerySchema(), query or {}))
        return ApprovedPlanPageSchema().dump({"total": total, "items": items})

    @rpc
    def get_approved_plan(self, plan_id):
        self.caller.require(*STAFF_ROLES)
        return ApprovedPlanSchema().dump(intake.get_approved_plan(self.db, plan_id))

    @rpc
    def schedule_session(self, payload):
        caller = self.caller.require(*SCHEDULERS)
        session = sessions.schedule_session(self.db, validated(SessionCreateSchema(), payload), caller,
                                            self.events.new)
        return SessionSchema().dump(session)

    @rpc
    def get_session(self, session_id):
        self.caller.require()
        return SessionSchema().dump(sessions.get_session(self.db, session_id))

    @rpc
    def list_sessions(self, query=None):
        self.caller.require()
        total, items = sessions.list_sessions(self.db, **validated(SessionQuerySchema(), query or {}))
        return SessionPageSchema().dump({"total": total, "items": items})
