"""Webhook subscriptions for company systems that cannot speak AMQP (webhooks service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.webhooks.contract import (WebhookDeliveryPageSchema, WebhookDeliveryQuerySchema, WebhookDeliverySchema,
                                        SubscriptionCreateSchema, SubscriptionCreatedSchema, SubscriptionPageSchema,
                                        SubscriptionQuerySchema, SubscriptionSchema)

from gateway.auth import roles_required
from gateway.resources import call

blp = Blueprint("webhooks", __name__, description=(
    "Deliveries of training events to a URL of yours: each POST carries one CloudEvents envelope "
    "as JSON, signed as in Standard Webhooks (headers webhook-id = the envelope id, "
    "webhook-timestamp, webhook-signature = v1,<base64 HMAC-SHA256 of id.timestamp.body with the "
    "subscription's secret>). A 2xx answer delivers it; anything else is retried with backoff "
    "(5 s, 30 s, 2 min, 10 min, 30 min, then hourly) up to WEBHOOK_MAX_ATTEMPTS (default 8), then "
    "parked until redriven. Targets must be https and public (checked after DNS resolution). "
    "See docs/integration/subscribing.md."))


@blp.route("/webhooks")
class Subscriptions(MethodView):
    @roles_required("admin")
    @blp.arguments(SubscriptionQuerySchema, location="query")
    @blp.alt_response(200, schema=SubscriptionPageSchema, success=True)
    def get(self, query):
        """Subscriptions, newest first."""
        return call("webhooks", "list_subscriptions", query)

    @roles_required("admin")
    @blp.arguments(SubscriptionCreateSchema)
    @blp.alt_response(201, schema=SubscriptionCreatedSchema, success=True)
    def post(self, subscription):
        """Subscribe a URL to event types; the answer shows the signing secret, this once only."""
        return call("webhooks", "create_subscription", instance(SubscriptionCreateSchema).dump(subscription)), 201


@blp.route("/webhooks/<subscription_id>")
class SubscriptionById(MethodView):
    @roles_required("admin")
    @blp.alt_response(200, schema=SubscriptionSchema, success=True)
    def get(self, subscription_id):
        """One subscription (without its secret)."""
        return call("webhooks", "get_subscription", subscription_id)


@blp.route("/webhooks/<subscription_id>/pause")
class PauseSubscription(MethodView):
    @roles_required("admin")
    @blp.alt_response(200, schema=SubscriptionSchema, success=True)
    def post(self, subscription_id):
        """Stop delivering new events to it (409 unless active)."""
        return call("webhooks", "pause_subscription", subscription_id)


@blp.route("/webhooks/<subscription_id>/resume")
class ResumeSubscription(MethodView):
    @roles_required("admin")
    @blp.alt_response(200, schema=SubscriptionSchema, success=True)
    def post(self, subscription_id):
        """Deliver new events to it again (409 unless paused)."""
        return call("webhooks", "resume_subscription", subscription_id)


@blp.route("/webhooks/<subscription_id>/deliveries")
class Deliveries(MethodView):
    @roles_required("admin")
    @blp.arguments(WebhookDeliveryQuerySchema, location="query")
    @blp.alt_response(200, schema=WebhookDeliveryPageSchema, success=True)
    def get(self, query, subscription_id):
        """The delivery log: every event sent to it, with each attempt's answer; filter by status."""
        return call("webhooks", "list_deliveries", subscription_id, query)


@blp.route("/webhooks/deliveries/<path:delivery_id>/redrive")
class RedriveDelivery(MethodView):
    @roles_required("admin")
    @blp.alt_response(200, schema=WebhookDeliverySchema, success=True)
    def post(self, delivery_id):
        """Send a parked delivery again now, with a fresh set of attempts."""
        return call("webhooks", "redrive_delivery", delivery_id)
