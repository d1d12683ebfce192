"""planning: needs research, annual plans, their approval and publishing. Entrypoints only."""
import os

from nameko.dependency_providers import Config
from nameko.timer import timer

from shared.config import setting
from shared.errors import validated
from shared.events import utc_now
from shared.notifications import notifier_from_env
from shared.schemas import ActorSchema, PageQuerySchema
from shared.service import Events, PlatformService, Store, handles, rpc

from services.planning import coverage, derived_needs, needs, plans, publishing, questionnaire_import, store
from services.planning.schemas import (DecisionSchema, NeedCreateSchema, NeedForecastSchema, NeedImportSchema,
                                       NeedPageSchema, NeedQuerySchema, NeedSchema, NoticePageSchema,
                                       PlanCoverageSchema, PlanCreateSchema, PlanPageSchema,
                                       PlanPublicationRequestSchema, PlanQuerySchema, PlanRevisionSchema,
                                       PlanSchema, RejectionSchema)

# How often channels that failed to announce a published plan are tried again (fixed at import).
ANNOUNCEMENT_RETRY_INTERVAL_SECONDS = float(os.environ.get("ANNOUNCEMENT_RETRY_INTERVAL_SECONDS", "300"))


class PlanningService(PlatformService):
    name = "planning"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    config = Config()

    # ---- needs ----

    @rpc
    def record_need(self, payload, actor):
        request = validated(NeedCreateSchema(), payload)
        source, evidence = request.pop("source"), request.pop("evidence")
        need, _ = needs.record_need(self.db, request, source, evidence, validated(ActorSchema(), actor)["id"],
                                    self.events.new)
        self.events.flush(store.NEEDS, need["_id"])
        return NeedSchema().dump(need)

    @rpc
    def get_need(self, need_id):
        return NeedSchema().dump(needs.get_need(self.db, need_id))

    @rpc
    def list_needs(self, query=None):
        total, items = needs.ranked_backlog(self.db, **validated(NeedQuerySchema(), query or {}))
        return NeedPageSchema().dump({"total": total, "items": items})

    @rpc
    def import_questionnaire(self, csv_text, actor):
        result = questionnaire_import.import_questionnaire(self.db, csv_text, validated(ActorSchema(), actor)["id"],
                                                           self.events.new)
        for need_id in result["need_ids"]:
            self.events.flush(store.NEEDS, need_id)
        return NeedImportSchema().dump(result)

    @rpc
    def needs_forecast(self):
        return NeedForecastSchema().dump(needs.forecast(self.db))

    @handles("assessment", "ExamGraded.v1")
    def on_exam_graded(self, envelope, data):
        self._record_derived(derived_needs.from_exam_graded(envelope["id"], data))

    @handles("feedback", "EvaluationCompleted.v1")
    def on_evaluation_completed(self, envelope, data):
        self._record_derived(derived_needs.from_evaluation(envelope["id"], data))

    @handles("feedback", "ImprovementActionRaised.v1")
    def on_improvement_action_raised(self, envelope, data):
        self._record_derived(derived_needs.from_improvement_action(envelope["id"], data))

    @handles("assessment", "CertificateExpiring.v1")
    def on_certificate_expiring(self, envelope, data):
        self._record_derived(derived_needs.from_certificate_expiring(envelope["id"], data, utc_now().date()))

    # ---- plans ----

    @rpc
    def create_plan(self, payload, actor):
        plan = plans.create_plan(self.db, validated(PlanCreateSchema(), payload),
                                 validated(ActorSchema(), actor), **self._rules())
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
        plan = plans.submit_plan(self.db, plan_id, validated(ActorSchema(), actor), self.events.new,
                                 **self._rules())
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

    @rpc
    def revise_plan(self, plan_id, payload, actor):
        plan = plans.revise_plan(self.db, plan_id, validated(PlanRevisionSchema(), payload),
                                 validated(ActorSchema(), actor), **self._rules())
        return PlanSchema().dump(plan)

    @rpc
    def publish_plan(self, plan_id, payload, actor):
        plan = publishing.publish_plan(self.db, plan_id, validated(PlanPublicationRequestSchema(), payload or {}),
                                       validated(ActorSchema(), actor), self.events.new, **self._rules())
        return self._published(plan)

    @handles("planning", "PlanPublished.v1")
    def announce_published_plan(self, envelope, data):
        publishing.announce(self.db, data["plan_id"], notifier_from_env(notices=self.db[store.NOTICES]))

    @timer(interval=ANNOUNCEMENT_RETRY_INTERVAL_SECONDS)
    def retry_failed_announcements(self):
        publishing.retry_failed_announcements(self.db, notifier_from_env(notices=self.db[store.NOTICES]))

    @rpc
    def plan_coverage(self, plan_id):
        plan = plans.get_plan(self.db, plan_id)
        return PlanCoverageSchema().dump(coverage.plan_coverage(plan, needs.all_needs(self.db), utc_now()))

    @rpc
    def list_notices(self, query=None):
        total, items = publishing.list_notices(self.db, **validated(PageQuerySchema(), query or {}))
        return NoticePageSchema().dump({"total": total, "items": items})

    def _published(self, plan):
        self.events.flush(store.PLANS, plan["_id"])
        return PlanSchema().dump(plan)

    def _record_derived(self, requests):
        for need, source, evidence, reference in requests:
            recorded, _ = needs.record_need(self.db, need, source, evidence, "planning", self.events.new,
                                            reference=reference)
            self.events.flush(store.NEEDS, recorded["_id"])

    def _rules(self):
        """What the plan rules need besides the plan: today's date and the notice period."""
        return {"today": utc_now().date(), "min_notice_days": setting(self.config, "PLAN_MIN_NOTICE_DAYS", int)}
