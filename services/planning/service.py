"""planning: needs research, annual plans, their approval and publishing. Entrypoints only."""
from nameko.dependency_providers import Config

from shared.config import setting
from shared.errors import validated
from shared.events import utc_now
from shared.identity import STAFF_ROLES, is_staff
from shared.notifications import notifier_from_env
from shared.schemas import PageQuerySchema, instance
from shared.shell import Events, PlatformService, Store, handles, rpc, singleton_timer

from services.planning import coverage, derived_needs, needs, plans, publishing, questionnaire_import, store
from services.planning.contract import (DecisionSchema, NeedCreateSchema, NeedForecastSchema, NeedImportSchema,
                                        NeedPageSchema, NeedQuerySchema, NeedSchema, NoticePageSchema,
                                        OfferingPageSchema, OfferingSchema, PlanCoverageSchema, PlanCreateSchema,
                                        PlanPageSchema, PlanPublicationRequestSchema, PlanQuerySchema,
                                        PlanRevisionSchema, PlanSchema, RejectionSchema)

AUTHORS = ("supervisor", "specialist", "manager")
PLANNING_STAFF = ("supervisor", "specialist", "manager", "trainer", "auditor")


class PlanningService(PlatformService):
    name = "planning"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    config = Config()

    # ---- needs ----

    @rpc
    def record_need(self, payload):
        caller = self.caller.require(*PLANNING_STAFF)
        request = validated(NeedCreateSchema, payload)
        source, evidence = request.pop("source"), request.pop("evidence")
        need, _ = needs.record_need(self.db, request, source, evidence, caller["id"], self.events.new)
        return instance(NeedSchema).dump(need)

    @rpc
    def get_need(self, need_id):
        self.caller.require(*STAFF_ROLES)
        return instance(NeedSchema).dump(needs.get_need(self.db, need_id))

    @rpc
    def list_needs(self, query=None):
        self.caller.require(*STAFF_ROLES)
        total, items = needs.ranked_backlog(self.db, **validated(NeedQuerySchema, query or {}))
        return instance(NeedPageSchema).dump({"total": total, "items": items})

    @rpc
    def import_questionnaire(self, csv_text):
        caller = self.caller.require(*PLANNING_STAFF)
        result = questionnaire_import.import_questionnaire(self.db, csv_text, caller["id"], self.events.new)
        return instance(NeedImportSchema).dump(result)

    @rpc
    def needs_forecast(self):
        self.caller.require(*STAFF_ROLES)
        return instance(NeedForecastSchema).dump(needs.forecast(self.db))

    @handles("assessment", "ExamGraded.v1", consumer="needs-from-exam-results")
    def on_exam_graded(self, envelope, data):
        self._record_derived(derived_needs.from_exam_graded(envelope["id"], data))

    @handles("feedback", "EvaluationCompleted.v2", consumer="needs-from-evaluations")
    def on_evaluation_completed(self, envelope, data):
        self._record_derived(derived_needs.from_evaluation(envelope["id"], data))

    @handles("feedback", "ImprovementActionRaised.v1", consumer="needs-from-improvement-actions")
    def on_improvement_action_raised(self, envelope, data):
        self._record_derived(derived_needs.from_improvement_action(envelope["id"], data))

    @handles("assessment", "CertificateExpiring.v1", consumer="needs-from-expiring-certificates")
    def on_certificate_expiring(self, envelope, data):
        self._record_derived(derived_needs.from_certificate_expiring(envelope["id"], data, utc_now().date()))

    # ---- plans ----

    @rpc
    def create_plan(self, payload):
        caller = self.caller.require(*AUTHORS)
        return instance(PlanSchema).dump(plans.create_plan(self.db, validated(PlanCreateSchema, payload), caller,
                                                           **self._rules()))

    @rpc
    def get_plan(self, plan_id):
        """Staff see the whole plan; learners only what was published to them."""
        if is_staff(self.caller.require()):
            return instance(PlanSchema).dump(plans.get_plan(self.db, plan_id))
        return instance(OfferingSchema).dump(plans.get_offering(self.db, plan_id))

    @rpc
    def list_plans(self, query=None):
        query = validated(PlanQuerySchema, query or {})
        if is_staff(self.caller.require()):
            total, items = plans.list_plans(self.db, **query)
            return instance(PlanPageSchema).dump({"total": total, "items": items})
        query.pop("status")
        total, items = plans.list_offerings(self.db, **query)
        return instance(OfferingPageSchema).dump({"total": total, "items": items})

    @rpc
    def submit_plan(self, plan_id):
        caller = self.caller.require(*AUTHORS)
        return instance(PlanSchema).dump(plans.submit_plan(self.db, plan_id, caller, self.events.new, **self._rules()))

    @rpc
    def approve_plan(self, plan_id, payload=None):
        caller = self.caller.require("manager")
        decision = validated(DecisionSchema, payload or {})
        return instance(PlanSchema).dump(
            plans.approve_plan(self.db, plan_id, caller, decision["comment"], self.events.new))

    @rpc
    def reject_plan(self, plan_id, payload=None):
        caller = self.caller.require("manager")
        decision = validated(RejectionSchema, payload or {})
        return instance(PlanSchema).dump(
            plans.reject_plan(self.db, plan_id, caller, decision["comment"], self.events.new))

    @rpc
    def revise_plan(self, plan_id, payload):
        caller = self.caller.require(*AUTHORS)
        plan = plans.revise_plan(self.db, plan_id, validated(PlanRevisionSchema, payload), caller, **self._rules())
        return instance(PlanSchema).dump(plan)

    @rpc
    def publish_plan(self, plan_id, payload=None):
        caller = self.caller.require(*AUTHORS)
        plan = publishing.publish_plan(self.db, plan_id, validated(PlanPublicationRequestSchema, payload or {}),
                                       caller, self.events.new, **self._rules())
        return instance(PlanSchema).dump(plan)

    @handles("planning", "PlanPublished.v1", consumer="announce-published-plans")
    def announce_published_plan(self, envelope, data):
        publishing.announce(self.db, data["plan_id"], data["revision"], self._notifier(), utc_now())

    @singleton_timer(setting(None, "ANNOUNCEMENT_RETRY_INTERVAL_SECONDS", float, default=300))
    def retry_failed_announcements(self):
        publishing.retry_failed_announcements(self.db, self._notifier(), utc_now())

    @rpc
    def plan_coverage(self, plan_id):
        self.caller.require(*STAFF_ROLES)
        plan = plans.get_plan(self.db, plan_id)
        return instance(PlanCoverageSchema).dump(coverage.plan_coverage(plan, needs.all_needs(self.db), utc_now()))

    @rpc
    def list_notices(self, query=None):
        self.caller.require()
        total, items = publishing.list_notices(self.db, **validated(PageQuerySchema, query or {}))
        return instance(NoticePageSchema).dump({"total": total, "items": items})

    def _record_derived(self, requests):
        for need, source, evidence, reference in requests:
            needs.record_need(self.db, need, source, evidence, "planning", self.events.new, reference=reference)

    def _notifier(self):
        return notifier_from_env(notices=self.db[store.NOTICES])

    def _rules(self):
        """What the plan rules need besides the plan: today's date and the notice period."""
        return {"today": utc_now().date(),
                "min_notice_days": setting(self.config, "PLAN_MIN_NOTICE_DAYS", int, default=14)}
