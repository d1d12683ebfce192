"""The webhooks service's collections and indexes."""
SUBSCRIPTIONS = "subscriptions"
DELIVERIES = "deliveries"
OUTBOX_COLLECTIONS = ()


def ensure_indexes(db):
    db[SUBSCRIPTIONS].create_index([("status", 1), ("event_types", 1)])
    db[DELIVERIES].create_index([("subscription_id", 1), ("created_at", -1)])
    db[DELIVERIES].create_index([("status", 1), ("next_attempt_at", 1)])
