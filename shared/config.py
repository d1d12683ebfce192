"""Settings from the environment (12-factor), with defaults that work on a developer machine.

nameko services get them through their config dict (config/nameko.yaml maps environment
variables into it); anything missing there falls back to the environment, then to the default.
The gateway and scripts read them the same way, with no config dict. Services keep the defaults
of their own business settings beside the code that uses them.
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
}


def setting(config, key, cast=str, default=None):
    """Read `key` from a nameko config dict (None outside nameko), else the environment, else
    `default`, else the kit's default; KeyError if none has it."""
    if config and config.get(key) not in (None, ""):
        value = config[key]
    elif os.environ.get(key) not in (None, ""):
        value = os.environ[key]
    else:
        value = default if default is not None else DEFAULTS.get(key)
    if value is None:
        raise KeyError(f"setting {key} is not configured")
    return cast(value)
