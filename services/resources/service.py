"""resources: trainer pool, teaching materials, reservations for sessions. Entrypoints only."""
from shared.errors import validated
from shared.schemas import ActorSchema, PageQuerySchema
from shared.service import Events, PlatformService, Store, handles, rpc

from services.resources import materials, reservations, store, trainers
from services.resources.schemas import (MaterialCreateSchema, MaterialPageSchema, MaterialQuerySchema,
                                        MaterialSchema, ReservationPageSchema, TrainerCreateSchema,
                                        TrainerPageSchema, TrainerQuerySchema, TrainerSchema)


class ResourcesService(PlatformService):
    name = "resources"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)

    @handles("delivery", "SessionScheduled.v1")
    def on_session_scheduled(self, envelope, data):
        reservations.request_reservation(self.db, data)

    @rpc
    def list_reservations(self, query=None):
        total, items = reservations.list_reservations(self.db, **validated(PageQuerySchema(), query or {}))
        return ReservationPageSchema().dump({"total": total, "items": items})

    @rpc
    def register_trainer(self, payload, actor):
        trainer = trainers.register_trainer(self.db, validated(TrainerCreateSchema(), payload),
                                            validated(ActorSchema(), actor))
        return TrainerSchema().dump(trainer)

    @rpc
    def get_trainer(self, trainer_id):
        return TrainerSchema().dump(trainers.get_trainer(self.db, trainer_id))

    @rpc
    def list_trainers(self, query=None):
        total, items = trainers.list_trainers(self.db, **validated(TrainerQuerySchema(), query or {}))
        return TrainerPageSchema().dump({"total": total, "items": items})

    @rpc
    def create_material(self, payload, actor):
        material = materials.create_material(self.db, validated(MaterialCreateSchema(), payload),
                                             validated(ActorSchema(), actor))
        return MaterialSchema().dump(material)

    @rpc
    def get_material(self, material_id):
        return MaterialSchema().dump(materials.get_material(self.db, material_id))

    @rpc
    def list_materials(self, query=None):
        total, items = materials.list_materials(self.db, **validated(MaterialQuerySchema(), query or {}))
        return MaterialPageSchema().dump({"total": total, "items": items})

    @rpc
    def publish_material(self, material_id, actor):
        material = materials.publish_material(self.db, material_id, validated(ActorSchema(), actor),
                                              self.events.new)
        self.events.flush(store.MATERIALS, material["_id"])
        return MaterialSchema().dump(material)
