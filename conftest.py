"""Test-suite set-up: eventlet's monkey patch first (nameko needs it), then the platform's fixtures.

Run the suite with ./scripts/test, which starts the throwaway RabbitMQ node and embedded store it needs.
"""
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # eventlet announces its own deprecation
    import eventlet

eventlet.monkey_patch()

pytest_plugins = ["shared.testing"]
