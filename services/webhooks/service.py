"""webhooks: events delivered to company systems that cannot speak AMQP. Entrypoints only."""
from nameko.dependency_providers import Config

from shared.config import setting
from shared.errors import validated
from shared.events import utc_now
from shared.schemas import instance
from shared.shell import Events, PlatformService, Store, handles_all, rpc, singleton_timer

from services.webhooks import deliveries, store, subscriptions
from services.webhooks.contract import (WebhookDeliveryPageSchema, WebhookDeliveryQuerySchema, WebhookDeliverySchema,
                                        SubscriptionCreateSchema, SubscriptionCreatedSchema, SubscriptionPageSchema,
                                        SubscriptionQuerySchema, SubscriptionSchema)
from services.webhooks.targets import TargetPolicy

INTEGRATORS = ("admin",)


class WebhooksService(PlatformService):
    name = "webhooks"
    db = Store(store.ensure_indexes)
    events = Events(outbox_collections=store.OUTBOX_COLLECTIONS)
    config = Config()

    @handles_all(consumer="deliver-webhooks")
    def on_any_event(self, envelope, data):
        now = utc_now()
        for delivery_id in deliveries.fan_out(self.db, envelope, now):
            deliveries.attempt(self.db, delivery_id, now, self._policy(), *self._retries())

    @singleton_timer(setting(None, "WEBHOOK_RETRY_INTERVAL_SECONDS", float, default=5))
    def retry_due_deliveries(self):
        now = utc_now()
        for delivery_id in deliveries.due(self.db, now):
            deliveries.attempt(self.db, delivery_id, now, self._policy(), *self._retries())

    @rpc
    def create_subscription(self, payload):
        caller = self.caller.require(*INTEGRATORS)
        subscription = subscriptions.create_subscription(self.db, validated(SubscriptionCreateSchema, payload),
                                                         caller, self._policy(), utc_now())
        return instance(SubscriptionCreatedSchema).dump(subscription)

    @rpc
    def list_subscriptions(self, query=None):
        self.caller.require(*INTEGRATORS)
        total, items = subscriptions.list_subscriptions(self.db, **validated(SubscriptionQuerySchema, query or {}))
        return instance(SubscriptionPageSchema).dump({"total": total, "items": items})

    @rpc
    def get_subscription(self, subscription_id):
        self.caller.require(*INTEGRATORS)
        return instance(SubscriptionSchema).dump(subscriptions.get_subscription(self.db, subscription_id))

    @rpc
    def pause_subscription(self, subscription_id):
        self.caller.require(*INTEGRATORS)
        return instance(SubscriptionSchema).dump(
            subscriptions.change_status(self.db, subscription_id, "pause", utc_now()))

    @rpc
    def resume_subscription(self, subscription_id):
        self.caller.require(*INTEGRATORS)
        return instance(SubscriptionSchema).dump(
            subscriptions.change_status(self.db, subscription_id, "resume", utc_now()))

    @rpc
    def list_deliveries(self, subscription_id, query=None):
        self.caller.require(*INTEGRATORS)
        total, items = deliveries.list_deliveries(self.db, subscription_id,
                                                  **validated(WebhookDeliveryQuerySchema, query or {}))
        return instance(WebhookDeliveryPageSchema).dump({"total": total, "items": items})

    @rpc
    def redrive_delivery(self, delivery_id):
        self.caller.require(*INTEGRATORS)
        now = utc_now()
        deliveries.redrive(self.db, delivery_id, now)
        deliveries.attempt(self.db, delivery_id, now, self._policy(), *self._retries())
        return instance(WebhookDeliverySchema).dump(deliveries.get_delivery(self.db, delivery_id))

    def _policy(self):
        return TargetPolicy(allow_http=setting(self.config, "WEBHOOK_ALLOW_HTTP", int, default=0) == 1,
                            allow_private=setting(self.config, "WEBHOOK_ALLOW_PRIVATE", int, default=0) == 1,
                            ca_bundle=setting(self.config, "WEBHOOK_CA_BUNDLE", default="") or None,
                            timeout_seconds=setting(self.config, "WEBHOOK_TIMEOUT_SECONDS", float, default=10))

    def _retries(self):
        """How many attempts, and the waits between them."""
        backoff = setting(self.config, "WEBHOOK_BACKOFF_SECONDS", default=",".join(map(str, deliveries.BACKOFF_SECONDS)))
        return (setting(self.config, "WEBHOOK_MAX_ATTEMPTS", int, default=8),
                tuple(float(seconds) for seconds in backoff.split(",")))
