"""The webhooks service's contract: subscriptions of other company systems and their deliveries."""
from marshmallow import Schema, ValidationError, fields, validate

from shared.events import CATALOGUE, lookup
from shared.schemas import PageQuerySchema, page_schema

SUBSCRIPTION_STATUSES = ("active", "paused")
# pending: not tried yet; retrying: failed, tried again at next_attempt_at; sending: being sent;
# delivered: the receiver answered 2xx; parked: failed WEBHOOK_MAX_ATTEMPTS times, redrive by hand.
DELIVERY_STATUSES = ("pending", "sending", "retrying", "delivered", "parked")
ALL_EVENTS = "*"


def known_event_type(name):
    if name != ALL_EVENTS:
        try:
            lookup(name)
        except ValueError:
            raise ValidationError(f"unknown event type; one of {sorted(CATALOGUE)} or *") from None


class SubscriptionCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                     metadata={"description": "Where deliveries are POSTed; https only unless WEBHOOK_ALLOW_HTTP."})
    event_types = fields.List(fields.String(validate=known_event_type), required=True,
                              validate=validate.Length(min=1, max=100),
                              metadata={"description": "Event types to deliver, e.g. SessionCompleted.v1, or *."})
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class SubscriptionSchema(Schema):
    id = fields.String(attribute="_id")
    name = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String())
    description = fields.String()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SubscriptionCreatedSchema(SubscriptionSchema):
    secret = fields.String(metadata={"description": "The signing secret (whsec_...), shown this once only."})


class SubscriptionQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(SUBSCRIPTION_STATUSES))


class AttemptSchema(Schema):
    at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()


class DeliverySchema(Schema):
    id = fields.String(attribute="_id")
    subscription_id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    log = fields.List(fields.Nested(AttemptSchema))
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(DELIVERY_STATUSES))


SubscriptionPageSchema = page_schema(SubscriptionSchema)
DeliveryPageSchema = page_schema(DeliverySchema)
