"""delivery: sessions from the plan, preparation, enrolment, reminders, attendance, records.
Entrypoints only."""
from nameko.dependency_providers import Config

from shared.config import setting
from shared.errors import validated
from shared.events import utc_now
from shared.identity import STAFF_ROLES, is_staff
from shared.notifications import notifier_from_env
from shared.schemas import PageQuerySchema, instance
from shared.shell import Events, PlatformService, ServiceRpc, Store, handles, rpc, singleton_timer

from services.delivery import (calendars, checklist, enrolment, intake, learners, messages, plan_schedule, running,
                               sessions, store)
from services.delivery.contract import (ApprovedPlanPageSchema, ApprovedPlanSchema, AttendanceRequestSchema,
                                        CalendarLinkRequestSchema, CalendarLinkSchema, ChecklistSchema,
                                        ChecklistTickSchema, CheckInCodeSchema, CheckInSchema, EnrolmentCancelSchema,
                                        EnrolmentImportSchema, EnrolmentPageSchema, EnrolmentQuerySchema,
                                        EnrolmentSchema, EnrolSchema, InteractionCreateSchema, InteractionPageSchema,
                                        InteractionQuerySchema, InteractionSchema, LearnerEnrolmentQuerySchema,
                                        PublicSessionPageSchema, PublicSessionSchema, ReadySchema, ReasonSchema,
                                        SessionCreateSchema, SessionPageSchema, SessionQuerySchema, SessionRecordSchema,
                                        SessionRescheduleSchema, SessionSchema)

SCHEDULERS = ("supervisor", "specialist", "trainer")
LEARNER_VISIBLE = ("scheduled", "ready", "in_progress")


class DeliveryService(PlatformService):
    name = "delivery"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    archive = ServiceRpc("archive")
    config = Config()

    # ---- intake: approved and published plans, learners ----

    @handles("planning", "PlanApproved.v1", consumer="approved-plans")
    def on_plan_approved(self, envelope, data):
        intake.record_approved_plan(self.db, data)

    @handles("planning", "PlanPublished.v1", consumer="schedule-plan-sessions")
    def on_plan_published(self, envelope, data):
        plan_schedule.schedule_published_plan(self.db, data, self.events.new, utc_now(),
                                              self._setting("DELIVERY_DEFAULT_CAPACITY", int, 20))

    @handles("archive", "LearnerRegistered.v1", consumer="known-learners")
    def on_learner_registered(self, envelope, data):
        learners.record_learner(self.db, data)

    @handles("archive", "LearnerErased.v1", consumer="erase-learners")
    def on_learner_erased(self, envelope, data):
        learners.erase_learner(self.db, data["learner_id"], utc_now())
        calendars.forget_learner_link(self.db, data["learner_id"])

    @handles("resources", "ResourcesReserved.v1", consumer="tick-reserved-resources")
    def on_resources_reserved(self, envelope, data):
        checklist.resources_reserved(self.db, data, utc_now())

    @handles("resources", "ResourceConflictDetected.v1", consumer="flag-resource-conflicts")
    def on_resource_conflict(self, envelope, data):
        checklist.resource_conflict(self.db, data, utc_now())

    @rpc
    def list_approved_plans(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = intake.list_approved_plans(self.db, **validated(PageQuerySchema, query or {}))
        return instance(ApprovedPlanPageSchema).dump({"total": total, "items": items})

    @rpc
    def get_approved_plan(self, plan_id):
        self.caller.require(*STAFF_ROLES)
        return instance(ApprovedPlanSchema).dump(intake.get_approved_plan(self.db, plan_id))

    # ---- sessions ----

    @rpc
    def schedule_session(self, payload):
        caller = self.caller.require(*SCHEDULERS)
        request = validated(SessionCreateSchema, payload)
        if not set(caller["roles"]) & set(sessions.SESSION_MANAGERS) and caller["id"] not in request["trainer_ids"]:
            request["trainer_ids"].append(caller["id"])  # a trainer schedules sessions they teach
        return self._session(sessions.schedule_session(self.db, request, caller, self.events.new, utc_now()))

    @rpc
    def get_session(self, session_id):
        caller = self.caller.require()
        session = sessions.get_session(self.db, session_id)
        return self._session(session) if is_staff(caller) else instance(PublicSessionSchema).dump(session)

    @rpc
    def list_sessions(self, query=None):
        caller = self.caller.require()
        query = validated(SessionQuerySchema, query or {})
        now, days = utc_now(), self._go_no_go_days()
        if not is_staff(caller):
            query.update(at_risk=None, statuses=LEARNER_VISIBLE)
            total, items = sessions.list_sessions(self.db, now, days, **query)
            return instance(PublicSessionPageSchema).dump({"total": total, "items": items})
        total, items = sessions.list_sessions(self.db, now, days, **query)
        return instance(SessionPageSchema).dump(
            {"total": total, "items": [sessions.view(item, now, days) for item in items]})

    @rpc
    def reschedule_session(self, session_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        request = validated(SessionRescheduleSchema, payload)
        now = utc_now()
        session = sessions.reschedule_session(self.db, session_id, request, caller, self.events.new, now)
        enrolment.promote(self.db, session_id, self.events.new, now)  # more seats: the queue moves up
        return self._session(sessions.get_session(self.db, session["_id"]))

    @rpc
    def cancel_session(self, session_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        request = validated(ReasonSchema, payload)
        now = utc_now()
        session = sessions.cancel_session(self.db, session_id, request["reason"], caller, self.events.new, now)
        enrolment.settle(self.db, session, now)
        return self._session(session)

    @rpc
    def mark_ready(self, session_id, payload=None):
        caller = self.caller.require(*STAFF_ROLES)
        request = validated(ReadySchema, payload or {})
        return self._session(sessions.mark_ready(self.db, session_id, request["override_reason"], caller, utc_now()))

    @rpc
    def start_session(self, session_id):
        caller = self.caller.require(*STAFF_ROLES)
        return self._session(sessions.start_session(self.db, session_id, caller, utc_now()))

    @rpc
    def complete_session(self, session_id):
        caller = self.caller.require(*STAFF_ROLES)
        return self._session(running.complete_session(self.db, session_id, caller, self.events.new, utc_now()))

    # ---- preparation ----

    @rpc
    def get_checklist(self, session_id):
        caller = self.caller.require(*STAFF_ROLES)
        session = sessions.require_reader(sessions.get_session(self.db, session_id), caller, "see its preparation")
        return instance(ChecklistSchema).dump(sessions.view(session, utc_now(), self._go_no_go_days()))

    @rpc
    def tick_checklist_item(self, session_id, item, payload):
        caller = self.caller.require(*STAFF_ROLES)
        request = validated(ChecklistTickSchema, payload)
        session = sessions.require_manager(sessions.get_session(self.db, session_id), caller, "prepare it")
        return self._session(checklist.tick(self.db, session, item, request["done"], request["note"], caller, utc_now()))

    @rpc
    def test_platform(self, session_id):
        caller = self.caller.require(*STAFF_ROLES)
        session = sessions.require_manager(sessions.get_session(self.db, session_id), caller, "test its platform")
        return self._session(checklist.test_platform(
            self.db, session, caller, utc_now(), self._setting("DELIVERY_PLATFORM_TEST_TIMEOUT_SECONDS", float, 5)))

    # ---- enrolment ----

    @rpc
    def enrol(self, session_id, payload=None):
        caller = self.caller.require()
        request = validated(EnrolSchema, payload or {})
        placed = enrolment.enrol(self.db, session_id, request["learner_id"], caller, self.events.new, utc_now())
        return instance(EnrolmentSchema).dump(
            enrolment.with_position(placed, sessions.get_session(self.db, session_id)))

    @rpc
    def import_enrolments(self, session_id, csv_text):
        caller = self.caller.require(*STAFF_ROLES)
        result = enrolment.import_enrolments(self.db, session_id, csv_text, caller, self.events.new, utc_now())
        return instance(EnrolmentImportSchema).dump(result)

    @rpc
    def cancel_enrolment(self, session_id, learner_id, payload=None):
        caller = self.caller.require()
        request = validated(EnrolmentCancelSchema, payload or {})
        cancelled = enrolment.cancel_enrolment(self.db, session_id, learner_id, request["reason"], caller,
                                               self.events.new, utc_now())
        return instance(EnrolmentSchema).dump(cancelled)

    @rpc
    def list_enrolments(self, session_id, query=None):
        caller = self.caller.require(*STAFF_ROLES)
        total, items = enrolment.list_enrolments(self.db, session_id, caller,
                                                 **validated(EnrolmentQuerySchema, query or {}))
        return instance(EnrolmentPageSchema).dump({"total": total, "items": items})

    @rpc
    def waiting_list(self, session_id, query=None):
        caller = self.caller.require(*STAFF_ROLES)
        total, items = enrolment.waiting_list(self.db, session_id, caller, **validated(PageQuerySchema, query or {}))
        return instance(EnrolmentPageSchema).dump({"total": total, "items": items})

    @rpc
    def learner_enrolments(self, query=None):
        caller = self.caller.require()
        total, items = enrolment.learner_enrolments(self.db, caller,
                                                    **validated(LearnerEnrolmentQuerySchema, query or {}))
        return instance(EnrolmentPageSchema).dump({"total": total, "items": items})

    # ---- running the session ----

    @rpc
    def record_attendance(self, session_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        request = validated(AttendanceRequestSchema, payload)
        written = running.record_attendance(self.db, session_id, request["records"], caller, self.events.new,
                                            utc_now())
        return instance(EnrolmentPageSchema).dump({"total": len(written), "items": written})

    @rpc
    def list_attendance(self, session_id, query=None):
        caller = self.caller.require(*STAFF_ROLES)
        total, items = running.list_attendance(self.db, session_id, caller,
                                               **validated(PageQuerySchema, query or {}))
        return instance(EnrolmentPageSchema).dump({"total": total, "items": items})

    @rpc
    def open_check_in(self, session_id):
        caller = self.caller.require(*STAFF_ROLES)
        return instance(CheckInCodeSchema).dump(running.open_check_in(
            self.db, session_id, caller, utc_now(), self._setting("DELIVERY_CHECK_IN_MINUTES", int, 15)))

    @rpc
    def check_in(self, session_id, payload):
        caller = self.caller.require("learner")
        request = validated(CheckInSchema, payload)
        return instance(EnrolmentSchema).dump(running.check_in(
            self.db, session_id, request["code"], caller, self.events.new, utc_now(),
            self._setting("DELIVERY_LATE_AFTER_MINUTES", int, 10)))

    @rpc
    def log_interaction(self, session_id, payload):
        caller = self.caller.require()
        request = validated(InteractionCreateSchema, payload)
        return instance(InteractionSchema).dump(
            running.log_interaction(self.db, session_id, request, caller, utc_now()))

    @rpc
    def list_interactions(self, session_id, query=None):
        caller = self.caller.require()
        total, items = running.list_interactions(self.db, session_id, caller,
                                                 **validated(InteractionQuerySchema, query or {}))
        return instance(InteractionPageSchema).dump({"total": total, "items": items})

    @rpc
    def write_record(self, session_id, payload):
        caller = self.caller.require(*STAFF_ROLES)
        record = validated(SessionRecordSchema, payload)
        return self._session(running.write_record(self.db, session_id, record, caller, utc_now()))

    # ---- calendars ----

    @rpc
    def trainer_calendar(self, trainer_id):
        return calendars.trainer_feed(self.db, trainer_id, self.caller.require(), utc_now())

    @rpc
    def learner_calendar(self, learner_id):
        return calendars.learner_feed(self.db, learner_id, self.caller.require(), utc_now())

    @rpc
    def issue_calendar_link(self, payload):
        kind = validated(CalendarLinkRequestSchema, payload)["kind"]
        return instance(CalendarLinkSchema).dump(calendars.issue_link(self.db, kind, self.caller.require(), utc_now()))

    @rpc
    def revoke_calendar_link(self, payload):
        calendars.revoke_link(self.db, validated(CalendarLinkRequestSchema, payload)["kind"], self.caller.require())

    @rpc
    def calendar_by_link(self, key):
        """No caller identity: the secret key of the link is the credential."""
        return calendars.feed_by_key(self.db, key, utc_now())

    # ---- messages to learners, on every change and before the start ----

    @handles("delivery", "LearnerEnrolled.v1", consumer="send-invitations")
    def on_learner_enrolled(self, envelope, data):
        session = sessions.get_session(self.db, data["session_id"])
        kind = "promoted" if data["from_waiting_list"] else "enrolled"
        messages.notify(self.db, session, [data["learner_id"]], f"{kind}-{envelope['id']}", kind, self._post(),
                        utc_now())

    @handles("delivery", "SessionRescheduled.v1", consumer="send-updated-invitations")
    def on_session_rescheduled(self, envelope, data):
        session = sessions.get_session(self.db, data["session_id"])
        if session["sequence"] == data["sequence"]:  # a later change sends its own update
            messages.notify(self.db, session, session["seat_holders"], f"changed-s{data['sequence']}", "changed",
                            self._post(), utc_now(), reason=data["reason"])

    @handles("delivery", "SessionCancelled.v1", consumer="send-cancellations")
    def on_session_cancelled(self, envelope, data):
        session = sessions.get_session(self.db, data["session_id"])
        messages.notify(self.db, session, data["learner_ids"], f"cancelled-s{session['sequence']}", "cancelled",
                        self._post(), utc_now(), reason=data["reason"])

    @handles("delivery", "EnrollmentCancelled.v1", consumer="send-seat-cancellations")
    def on_enrollment_cancelled(self, envelope, data):
        session = sessions.get_session(self.db, data["session_id"])
        messages.notify(self.db, session, [data["learner_id"]], f"seat-cancelled-{envelope['id']}",
                        "seat_cancelled", self._post(), utc_now(), reason=data["reason"])

    @singleton_timer(setting(None, "DELIVERY_REMINDER_INTERVAL_SECONDS", float, default=300))
    def upkeep(self):
        """Reminders due, free seats given to the waiting list, enrolments settled after a crash."""
        now = utc_now()
        enrolment.upkeep(self.db, self.events.new, now)
        offsets = [int(days) for days in self._setting("DELIVERY_REMINDER_DAYS", str, "7,1").split(",") if days.strip()]
        messages.send_reminders(self.db, self._post(), now, offsets)

    # ---- helpers ----

    def _session(self, session):
        return instance(SessionSchema).dump(sessions.view(session, utc_now(), self._go_no_go_days()))

    def _go_no_go_days(self):
        return self._setting("DELIVERY_GO_NO_GO_DAYS", int, 3)

    def _setting(self, key, cast, default):
        return setting(self.config, key, cast, default=default)

    def _post(self):
        channels = tuple(self._setting("DELIVERY_MESSAGE_CHANNELS", str, "email,sms").split(","))
        return messages.Post(notifier=notifier_from_env(), contacts=self._contacts, channels=channels,
                             organizer=self._setting("SMTP_FROM", str, "training@localhost"))

    def _contacts(self, learner_ids):
        found = self.archive.contact_details({"learner_ids": list(learner_ids)})["items"]
        return {contact["learner_id"]: contact for contact in found}
