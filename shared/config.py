"""Settings from the environment (12-factor), with defaults that work on a developer machine.

nameko services get them through their config dict (config/nameko.yaml maps environment
variables into it); anything missing there falls back to the environment, then to the default.
"""
import os

DEFAULTS = {
    "AMQP_URI": "amqp://guest:guest@127.0.0.1:5682/",
    # Database name comes from the URI path; services fall back to training_<service>.
    "MONGO_URI": "mongodb://127.0.0.1:27017/",
    "MONGO_TIMEOUT_SECONDS": "5",
    # Reliable consumption: attempts in the worker (with backoff) before an event is parked.
    "HANDLER_ATTEMPTS": "3",
    "HANDLER_BACKOFF_SECONDS": "0.5",
    # Broker-side safety net: redeliveries of a message whose handler crashed before parking it.
    "HANDLER_DELIVERY_LIMIT": "5",
    # Outbox relay: how often it looks for events a crash or outage left unsent, and how old an
    # unsent event must be before the relay (not the writing worker) takes it.
    "OUTBOX_RELAY_INTERVAL_SECONDS": "5",
    "OUTBOX_RELAY_MIN_AGE_SECONDS": "3",
    # Planning: how many days ahead the sessions of important plan items must be announced.
    "PLAN_MIN_NOTICE_DAYS": "14",
}


def setting(config, key, cast=str):
    """Read `key` from a nameko config dict, else the environment, else the default."""
    if config and key in config and config[key] not in (None, ""):
        value = config[key]
    else:
        value = os.environ.get(key, DEFAULTS.get(key))
    if value is None:
        raise KeyError(f"setting {key} is not configured")
    return cast(value)
