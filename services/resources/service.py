"""resources: teaching materials and their lending register, the equipment ledger, rooms, the
trainer pool with scorecards and evaluations, and bookings with conflict detection. Entrypoints only."""
from datetime import timedelta

from nameko.dependency_providers import Config

from shared.config import setting
from shared.errors import validated
from shared.events import utc_now
from shared.identity import STAFF_ROLES
from shared.notifications import notifier_from_env
from shared.schemas import PageQuerySchema, instance
from shared.shell import Events, PlatformService, ServiceRpc, Store, handles, rpc, singleton_timer

from services.resources import (bookings, calendars, equipment, loan_reminders, loans, material_files, materials,
                                privacy, rooms, scorecards, store, trainers)
from services.resources.contract import (EQUIPMENT, ROOM, TRAINER, BookingPageSchema, BookingQuerySchema,
                                         BookingSchema, CopyCreateSchema, CopyPageSchema, CopySchema,
                                         EquipmentCreateSchema, EquipmentMaintenanceCloseSchema,
                                         EquipmentMaintenanceOpenSchema, EquipmentPageSchema, EquipmentQuerySchema,
                                         EquipmentRetirementSchema, EquipmentSchema, EquipmentUpgradeCreateSchema,
                                         LoanCreateSchema, LoanPageSchema, LoanQuerySchema, LoanReturnSchema,
                                         MaterialCommentCreateSchema, MaterialCreateSchema,
                                         MaterialFileDownloadSchema, MaterialFileUploadSchema, MaterialPageSchema,
                                         MaterialPublicationSchema, MaterialQuerySchema, MaterialRetirementSchema,
                                         MaterialReviewDecisionSchema, MaterialReviewRequestSchema,
                                         MaterialRevisionCreateSchema, MaterialSchema, MaterialUpdateSchema,
                                         MaterialVersionSchema, ProductReleaseSchema, RoomCreateSchema,
                                         RoomPageSchema, RoomQuerySchema, RoomSchema, RoomUpdateSchema,
                                         ScorecardQuerySchema, ScorecardSchema, TrainerCertificationCreateSchema,
                                         TrainerCertificationSchema, TrainerCreateSchema,
                                         TrainerEvaluationCreateSchema, TrainerLeaveCreateSchema, TrainerPageSchema,
                                         TrainerQuerySchema, TrainerSchema, TrainerUpdateSchema,
                                         TrainerTrainingCreateSchema, TrainerTrainingSchema)

RESOURCE_STAFF = ("supervisor", "specialist")
MATERIAL_AUTHORS = ("supervisor", "specialist", "trainer")
EVALUATORS = ("supervisor", "manager")


class ResourcesService(PlatformService):
    name = "resources"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    config = Config()
    archive = ServiceRpc("archive")  # borrowers' contact details, for overdue reminders

    # ---- bookings ----

    @handles("delivery", "SessionScheduled.v1", consumer="book-session-resources")
    def on_session_scheduled(self, envelope, data):
        bookings.on_session_changed(self.db, data, 0, "scheduled", self.events.new, utc_now())

    @handles("delivery", "SessionRescheduled.v1", consumer="rebook-session-resources")
    def on_session_rescheduled(self, envelope, data):
        bookings.on_session_changed(self.db, data, data["sequence"], "rescheduled", self.events.new, utc_now())

    @handles("delivery", "SessionCancelled.v1", consumer="release-session-resources")
    def on_session_cancelled(self, envelope, data):
        bookings.cancel(self.db, data, utc_now())

    @handles("delivery", "SessionCompleted.v1", consumer="log-delivered-sessions")
    def on_session_completed(self, envelope, data):
        bookings.session_completed(self.db, data, utc_now())

    @rpc
    def list_bookings(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = bookings.list_bookings(self.db, **validated(BookingQuerySchema, query or {}))
        return instance(BookingPageSchema).dump({"total": total, "items": items})

    @rpc
    def get_booking(self, session_id):
        self.caller.require(*STAFF_ROLES)
        return instance(BookingSchema).dump(bookings.get_booking(self.db, session_id))

    @rpc
    def recheck_booking(self, session_id):
        caller = self.caller.require(*RESOURCE_STAFF)
        return instance(BookingSchema).dump(bookings.recheck(self.db, session_id, caller, self.events.new, utc_now()))

    def _recheck_upcoming(self, kind, resource_id, caller):
        """Bookings that counted on a resource that changed are checked again (and their conflict published)."""
        bookings.recheck_upcoming(self.db, kind, resource_id, caller, self.events.new, utc_now())

    # ---- trainers ----

    @rpc
    def register_trainer(self, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        trainer = trainers.register_trainer(self.db, validated(TrainerCreateSchema, payload), caller, utc_now())
        return instance(TrainerSchema).dump(trainer)

    @rpc
    def get_trainer(self, trainer_id):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(TrainerSchema).dump(trainers.visible_to(trainers.get_trainer(self.db, trainer_id), caller))

    @rpc
    def list_trainers(self, query=None):
        caller = self.caller.require(*STAFF_ROLES)
        total, items = trainers.list_trainers(self.db, **validated(TrainerQuerySchema, query or {}))
        items = [trainers.visible_to(item, caller) for item in items]
        return instance(TrainerPageSchema).dump({"total": total, "items": items})

    @rpc
    def update_trainer(self, trainer_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        trainer = trainers.update_profile(self.db, trainer_id, validated(TrainerUpdateSchema, payload), caller,
                                          utc_now())
        self._recheck_upcoming(TRAINER, trainer_id, caller)
        return instance(TrainerSchema).dump(trainers.visible_to(trainer, caller))

    @rpc
    def add_leave(self, trainer_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        trainer, _ = trainers.add_record(self.db, trainer_id, "leave", validated(TrainerLeaveCreateSchema, payload),
                                         caller, utc_now())
        self._recheck_upcoming(TRAINER, trainer_id, caller)
        return instance(TrainerSchema).dump(trainers.visible_to(trainer, caller))

    @rpc
    def remove_leave(self, trainer_id, leave_id):
        caller = self.caller.require(*STAFF_ROLES)
        trainer = trainers.remove_leave(self.db, trainer_id, leave_id, caller, utc_now())
        return instance(TrainerSchema).dump(trainers.visible_to(trainer, caller))

    @rpc
    def add_training(self, trainer_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        _, record = trainers.add_record(self.db, trainer_id, "trainings",
                                        validated(TrainerTrainingCreateSchema, payload), caller, utc_now())
        return instance(TrainerTrainingSchema).dump(record)

    @rpc
    def add_certification(self, trainer_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        _, record = trainers.add_record(self.db, trainer_id, "certifications",
                                        validated(TrainerCertificationCreateSchema, payload), caller, utc_now())
        return instance(TrainerCertificationSchema).dump(record)

    @rpc
    def get_scorecard(self, trainer_id, query=None):
        caller = self.caller.require(*STAFF_ROLES)
        period = validated(ScorecardQuerySchema, query or {})["period"] or str(utc_now().year)
        trainers.require_scorecard_access(caller, trainers.get_trainer(self.db, trainer_id))
        return instance(ScorecardSchema).dump(scorecards.scorecard(self.db, trainer_id, period))

    @rpc
    def evaluate_trainer(self, trainer_id, payload):
        caller = self.caller.require(*EVALUATORS)
        evaluation = validated(TrainerEvaluationCreateSchema, payload)
        trainers.get_trainer(self.db, trainer_id)
        card = scorecards.scorecard(self.db, trainer_id, evaluation["period"])
        trainer = trainers.record_evaluation(self.db, trainer_id, evaluation, card, caller, self.events.new, utc_now())
        if evaluation["outcome"] == "remove":
            self._recheck_upcoming(TRAINER, trainer_id, caller)
        return instance(TrainerSchema).dump(trainer)

    @handles("feedback", "FeedbackSubmitted.v2", consumer="trainer-ratings")
    def on_feedback_submitted(self, envelope, data):
        scorecards.feedback_received(self.db, data)

    @handles("assessment", "ExamGraded.v1", consumer="trainer-learner-outcomes")
    def on_exam_graded(self, envelope, data):
        scorecards.result_released(self.db, data)

    # ---- rooms ----

    @rpc
    def create_room(self, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        return instance(RoomSchema).dump(
            rooms.create_room(self.db, validated(RoomCreateSchema, payload), caller, utc_now()))

    @rpc
    def get_room(self, room_id):
        self.caller.require(*STAFF_ROLES)
        return instance(RoomSchema).dump(rooms.get_room(self.db, room_id))

    @rpc
    def list_rooms(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = rooms.list_rooms(self.db, **validated(RoomQuerySchema, query or {}))
        return instance(RoomPageSchema).dump({"total": total, "items": items})

    @rpc
    def update_room(self, room_id, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        room = rooms.update_room(self.db, room_id, validated(RoomUpdateSchema, payload), utc_now())
        self._recheck_upcoming(ROOM, room_id, caller)
        return instance(RoomSchema).dump(room)

    # ---- equipment ----

    @rpc
    def register_equipment(self, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        item = equipment.register_equipment(self.db, validated(EquipmentCreateSchema, payload), caller, utc_now())
        return instance(EquipmentSchema).dump(item)

    @rpc
    def get_equipment(self, equipment_id):
        self.caller.require(*STAFF_ROLES)
        return instance(EquipmentSchema).dump(equipment.get_equipment(self.db, equipment_id))

    @rpc
    def list_equipment(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = equipment.list_equipment(self.db, **validated(EquipmentQuerySchema, query or {}))
        return instance(EquipmentPageSchema).dump({"total": total, "items": items})

    @rpc
    def check_out_equipment(self, equipment_id):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(EquipmentSchema).dump(equipment.move(self.db, equipment_id, "check_out", caller, utc_now()))

    @rpc
    def check_in_equipment(self, equipment_id):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(EquipmentSchema).dump(equipment.move(self.db, equipment_id, "check_in", caller, utc_now()))

    @rpc
    def open_maintenance(self, equipment_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        request = validated(EquipmentMaintenanceOpenSchema, payload)
        item = equipment.open_maintenance(self.db, equipment_id, request, caller, utc_now())
        self._recheck_upcoming(EQUIPMENT, equipment_id, caller)
        return instance(EquipmentSchema).dump(item)

    @rpc
    def close_maintenance(self, equipment_id, maintenance_id, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        item = equipment.close_maintenance(self.db, equipment_id, maintenance_id,
                                           validated(EquipmentMaintenanceCloseSchema, payload), caller, utc_now())
        return instance(EquipmentSchema).dump(item)

    @rpc
    def record_upgrade(self, equipment_id, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        upgrade = validated(EquipmentUpgradeCreateSchema, payload)
        item = equipment.record_upgrade(self.db, equipment_id, upgrade, caller, utc_now())
        return instance(EquipmentSchema).dump(item)

    @rpc
    def retire_equipment(self, equipment_id, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        item = equipment.retire(self.db, equipment_id, validated(EquipmentRetirementSchema, payload), caller,
                                self.events.new, utc_now())
        self._recheck_upcoming(EQUIPMENT, equipment_id, caller)
        return instance(EquipmentSchema).dump(item)

    # ---- materials ----

    @rpc
    def create_material(self, payload):
        caller = self.caller.require(*MATERIAL_AUTHORS)
        material = materials.create_material(self.db, validated(MaterialCreateSchema, payload), caller, utc_now())
        return instance(MaterialSchema).dump(material)

    @rpc
    def get_material(self, material_id):
        self.caller.require(*STAFF_ROLES)
        return instance(MaterialSchema).dump(materials.get_material(self.db, material_id))

    @rpc
    def list_materials(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = materials.list_materials(self.db, **validated(MaterialQuerySchema, query or {}))
        return instance(MaterialPageSchema).dump({"total": total, "items": items})

    @rpc
    def update_material(self, material_id, payload):
        caller = self.caller.require(*MATERIAL_AUTHORS)
        material = materials.edit_draft(self.db, material_id, validated(MaterialUpdateSchema, payload), caller,
                                        utc_now())
        return instance(MaterialSchema).dump(material)

    @rpc
    def attach_material_file(self, material_id, payload):
        caller = self.caller.require(*MATERIAL_AUTHORS)
        material = material_files.attach(self.db, material_id, validated(MaterialFileUploadSchema, payload), caller,
                                         utc_now(), self._max_file_bytes())
        return instance(MaterialSchema).dump(material)

    @rpc
    def get_material_file(self, material_id, version=None):
        self.caller.require(*STAFF_ROLES)
        return instance(MaterialFileDownloadSchema).dump(material_files.download(self.db, material_id, version))

    @rpc
    def get_material_version(self, material_id, version):
        self.caller.require(*STAFF_ROLES)
        return instance(MaterialVersionSchema).dump(materials.get_version(self.db, material_id, version))

    @rpc
    def request_review(self, material_id, payload):
        caller = self.caller.require(*MATERIAL_AUTHORS)
        request = validated(MaterialReviewRequestSchema, payload)
        material = materials.submit_for_review(self.db, material_id, request, caller, utc_now())
        return instance(MaterialSchema).dump(material)

    @rpc
    def decide_review(self, material_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        decision = validated(MaterialReviewDecisionSchema, payload)
        material = materials.decide_review(self.db, material_id, decision, caller, utc_now())
        return instance(MaterialSchema).dump(material)

    @rpc
    def comment_on_material(self, material_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        text = validated(MaterialCommentCreateSchema, payload)["text"]
        return instance(MaterialSchema).dump(materials.add_comment(self.db, material_id, text, caller, utc_now()))

    @rpc
    def publish_material(self, material_id, payload=None):
        caller = self.caller.require(*RESOURCE_STAFF)
        publication = validated(MaterialPublicationSchema, payload or {})
        material = materials.publish(self.db, material_id, publication, caller, self.events.new, utc_now())
        return instance(MaterialSchema).dump(material)

    @rpc
    def revise_material(self, material_id, payload):
        caller = self.caller.require(*MATERIAL_AUTHORS)
        material = materials.revise(self.db, material_id, validated(MaterialRevisionCreateSchema, payload), caller,
                                    utc_now())
        return instance(MaterialSchema).dump(material)

    @rpc
    def retire_material(self, material_id, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        reason = validated(MaterialRetirementSchema, payload)["reason"]
        return instance(MaterialSchema).dump(materials.retire(self.db, material_id, reason, caller, utc_now()))

    @rpc
    def flag_for_product_release(self, payload):
        self.caller.require(*RESOURCE_STAFF)
        flagged = materials.flag_product_release(self.db, validated(ProductReleaseSchema, payload), utc_now())
        return {"material_ids": flagged}

    @handles("feedback", "EvaluationCompleted.v2", consumer="flag-materials-of-weak-topics")
    def on_evaluation_completed(self, envelope, data):
        materials.flag_weak_topics(self.db, data["evaluation_id"], data["weak_topics"], utc_now())

    @singleton_timer(setting(None, "MATERIAL_REVIEW_INTERVAL_SECONDS", float, default=3600))
    def flag_unrevised_materials(self):
        now = utc_now()
        after_days = setting(self.config, "MATERIAL_REVIEW_AFTER_DAYS", int, default=365)
        materials.flag_unrevised(self.db, now - timedelta(days=after_days), now)

    @singleton_timer(setting(None, "CALENDAR_PRUNE_INTERVAL_SECONDS", float, default=86400))
    def prune_calendars(self):
        keep_days = setting(self.config, "CALENDAR_KEEP_DAYS", int, default=90)
        calendars.prune(self.db, utc_now() - timedelta(days=keep_days))

    @singleton_timer(setting(None, "MATERIAL_FILE_SWEEP_INTERVAL_SECONDS", float, default=3600))
    def remove_orphan_files(self):
        """Files a crash left stored but unnamed; an hour is longer than any upload takes."""
        return material_files.remove_orphans(self.db, utc_now() - timedelta(hours=1))

    # ---- copies and loans ----

    @rpc
    def add_copy(self, material_id, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        return instance(CopySchema).dump(
            loans.add_copy(self.db, material_id, validated(CopyCreateSchema, payload), caller,
                           utc_now()))

    @rpc
    def list_copies(self, material_id, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = loans.list_copies(self.db, material_id, **validated(PageQuerySchema, query or {}))
        return instance(CopyPageSchema).dump({"total": total, "items": items})

    @rpc
    def lend_copy(self, material_id, copy_id, payload):
        caller = self.caller.require(*RESOURCE_STAFF)
        copy = loans.lend(self.db, material_id, copy_id, validated(LoanCreateSchema, payload), caller, utc_now())
        return instance(CopySchema).dump(copy)

    @rpc
    def return_copy(self, material_id, copy_id, payload=None):
        caller = self.caller.require(*RESOURCE_STAFF)
        copy = loans.take_back(self.db, material_id, copy_id, validated(LoanReturnSchema, payload or {}), caller,
                               utc_now())
        return instance(CopySchema).dump(copy)

    @rpc
    def list_loans(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = loans.list_loans(self.db, utc_now().date().isoformat(),
                                        **validated(LoanQuerySchema, query or {}))
        return instance(LoanPageSchema).dump({"total": total, "items": items})

    @singleton_timer(setting(None, "LOAN_REMINDER_INTERVAL_SECONDS", float, default=3600))
    def remind_overdue_borrowers(self):
        """Remind borrowers of overdue copies (loan_reminders); returns how many reminders went out."""
        channels = setting(self.config, "LOAN_REMINDER_CHANNELS", str, default="email,sms").split(",")
        every_days = setting(self.config, "LOAN_REMINDER_EVERY_DAYS", int, default=7)
        return loan_reminders.send_due(self.db, notifier_from_env(), self._contacts, channels, every_days, utc_now())

    def _contacts(self, borrower_ids):
        borrower_ids, found = sorted(borrower_ids), []
        for start in range(0, len(borrower_ids), 1000):  # the most the archive answers at once
            found += self.archive.contact_details({"learner_ids": borrower_ids[start:start + 1000]})["items"]
        return {contact["learner_id"]: contact for contact in found}

    # ---- privacy ----

    @handles("archive", "LearnerErased.v1", consumer="erase-learner")
    def on_learner_erased(self, envelope, data):
        privacy.erase_learner(self.db, data["learner_id"], envelope["id"])

    def _max_file_bytes(self):
        return setting(self.config, "MATERIAL_MAX_FILE_BYTES", int, default=10 * 1024 * 1024)
