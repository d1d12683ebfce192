"""resources: trainer pool, teaching materials, reservations for sessions. Entrypoints only."""
from shared.errors import validated
from shared.identity import STAFF_ROLES
from shared.schemas import PageQuerySchema
from shared.shell import Events, PlatformService, Store, handles, rpc

from services.resources import materials, reservations, store, trainers
from services.resources.contract import (MaterialCreateSchema, MaterialPageSchema, MaterialQuerySchema,
                                         MaterialSchema, ReservationPageSchema, TrainerCreateSchema,
                                         TrainerPageSchema, TrainerQuerySchema, TrainerSchema)

RESOURCE_STAFF = ("supervisor", "specialist")
MATERIAL_AUTHORS = ("supervisor", "specialist", "trainer")


class ResourcesService(PlatformService):
    name = "resources"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @handles("delivery", "SessionScheduled.v1", consumer="reserve-for-sessions")
    def on_session_scheduled(self, envelope, data):
        reservations.request_reservation(self.db, data)

    @rpc
    def list_reservations(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = reservations.list_reservations(self.db, **validated(PageQuerySchema(), query or {}))
        return ReservationPageSchema().dump({"total": total, "items": items})

    @rpc
    def register_trainer(self, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        return TrainerSchema().dump(trainers.register_trainer(self.db, validated(TrainerCreateSchema(), payload),
                                                              caller))

    @rpc
    def get_trainer(self, trainer_id):
        self.caller.require(*STAFF_ROLES)
        return TrainerSchema().dump(trainers.get_trainer(self.db, trainer_id))

    @rpc
    def list_trainers(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = trainers.list_trainers(self.db, **validated(TrainerQuerySchema(), query or {}))
        return TrainerPageSchema().dump({"total": total, "items": items})

    @rpc
    def create_material(self, payload):
        caller = self.caller.require(*MATERIAL_AUTHORS)
        return MaterialSchema().dump(materials.create_material(self.db, validated(MaterialCreateSchema(), payload),
                                                               caller))

    @rpc
    def get_material(self, material_id):
        self.caller.require(*STAFF_ROLES)
        return MaterialSchema().dump(materials.get_material(self.db, material_id))

    @rpc
    def list_materials(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = materials.list_materials(self.db, **validated(MaterialQuerySchema(), query or {}))
        return MaterialPageSchema().dump({"total": total, "items": items})

    @rpc
    def publish_material(self, material_id):
        caller = self.caller.require(*RESOURCE_STAFF)
        return MaterialSchema().dump(materials.publish_material(self.db, material_id, caller, self.events.new))
