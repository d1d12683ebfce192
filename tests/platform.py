"""The whole platform as real processes for end-to-end tests: services (nameko run) and the
gateway (gunicorn), on one test vhost, each service with its own database. A test module names
the services it needs in `PLATFORM_SERVICES` (default: all six) and may add environment
variables for them in `PLATFORM_ENV`; the `platform` fixture (tests/conftest.py) starts them."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from gateway.settings import LOCAL_ISSUER
from gateway.tokens import mint
from shared.testing import REPO, ServiceProcess, free_port, identity_env, wait_until

# The test gateway's body limit: small, so that the oversize-body test sends little.
MAX_BODY_BYTES = 64 * 1024
# The test run's own secret for local bearer tokens.
JWT_SECRET = "test-" + os.urandom(24).hex()


class TokenSettings:
    """What gateway.tokens.mint needs to sign tokens the test gateway accepts."""
    jwt_secret = JWT_SECRET
    issuer = LOCAL_ISSUER
    audience = "training-platform"


def auth(role, subject=None, roles=None):
    """Headers of a request by `subject` with `role` (or several `roles`)."""
    return {"Authorization": f"Bearer {mint(roles or [role], subject or f'{role}-user', settings=TokenSettings)}"}


class GatewayProcess:
    def __init__(self, amqp_uri, mongo_uri, log_dir, multiproc_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_dir) / "gateway.log"
        self.env = dict(os.environ, **identity_env(), AMQP_URI=amqp_uri, GATEWAY_MONGO_URI=mongo_uri,
                        AUTH_MODE="local", JWT_SECRET=JWT_SECRET, GATEWAY_BIND=f"127.0.0.1:{self.port}",
                        GUNICORN_WORKERS="2", RPC_TIMEOUT_SECONDS="3", MAX_BODY_BYTES=str(MAX_BODY_BYTES),
                        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir), PYTHONWARNINGS="ignore")

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(REPO / "gateway/gunicorn.conf.py"),
             "gateway.app:create_app()"], cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"gateway exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                return requests.get(f"{self.url}/healthz", timeout=1).ok
            except requests.RequestException:
                return False

        wait_until(ready, 30, 0.2, "the gateway")
        return self

    def stop(self):
        self.process.terminate()
        self.process.wait(20)


class Platform:
    """Services and gateway as real processes on one vhost, each service with its own database."""

    def __init__(self, amqp_uri, mongo_uri, log_dir, services, env=None):
        self.amqp_uri = amqp_uri
        self.processes = {name: ServiceProcess(name, amqp_uri, mongo_uri(name), log_dir, **(env or {}))
                          for name in services}
        multiproc = Path(log_dir) / "prometheus"
        multiproc.mkdir(exist_ok=True)
        self.gateway = GatewayProcess(amqp_uri, mongo_uri("gateway"), log_dir, multiproc)

    def start(self):
        for process in self.processes.values():
            process.start(wait=False)
        for process in self.processes.values():
            process.wait_ready()
        self.gateway.start()
        return self

    def stop(self):
        self.gateway.stop()
        for process in self.processes.values():
            process.stop()

    @property
    def url(self):
        return self.gateway.url

    @staticmethod
    def auth(role, subject=None, roles=None):
        return auth(role, subject, roles)


class Api:
    """The gateway as an end-to-end test calls it: one request as a role (and subject), its status
    asserted (`expect`, one code or several; by default the instance's), its body decoded: JSON,
    else text; the response itself with `raw=True`."""

    def __init__(self, platform, raw=False, expect=200):
        self.platform, self.raw, self.expect = platform, raw, expect

    def __call__(self, method, path, role, subject=None, expect=None, headers=None, **kwargs):
        response = requests.request(method, f"{self.platform.url}/api/v1{path}", timeout=20,
                                    headers={**self.platform.auth(role, subject), **dict(headers or {})}, **kwargs)
        expect = self.expect if expect is None else expect
        expected = expect if isinstance(expect, tuple) else (expect,)
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text}"
        if self.raw:
            return response
        return response.json() if "json" in response.headers.get("Content-Type", "") else response.text
