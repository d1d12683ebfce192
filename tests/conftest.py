"""Fixtures of the cross-service tests: the whole platform as processes (tests/platform.py)."""
import os
import uuid

import pytest

from shared.testing import SERVICE_CLASSES
from tests.platform import Platform


@pytest.fixture(scope="module")
def platform(request, vhost_pipeline, mongo_client, tmp_path_factory):
    """The services a test module names in `PLATFORM_SERVICES`, plus the gateway, as processes;
    the module's optional `PLATFORM_ENV` dict adds environment variables to every service."""
    yield from start_platform(request, vhost_pipeline, mongo_client, tmp_path_factory,
                              getattr(request.module, "PLATFORM_ENV", None))


def start_platform(request, vhost_pipeline, mongo_client, tmp_path_factory, env=None):
    """Start the module's platform, yield it, stop it and drop its databases (for a module's own
    `platform` fixture when its environment depends on other fixtures)."""
    services = getattr(request.module, "PLATFORM_SERVICES", tuple(SERVICE_CLASSES))
    base = os.environ["TEST_MONGO_URI"].rstrip("/")
    databases = []

    def mongo_uri(service):
        databases.append(f"t_{service}_{uuid.uuid4().hex[:10]}")
        return f"{base}/{databases[-1]}"

    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    with vhost_pipeline.get() as vhost:
        stack = Platform(f"{amqp}/{vhost}", mongo_uri, tmp_path_factory.mktemp("platform"), services, env)
        try:
            yield stack.start()
        finally:
            stack.stop()
            for name in databases:
                mongo_client.drop_database(name)
