"""pytest fixtures for tests against the real broker and store that ./scripts/test starts.

  * `running_service(cls)`  an in-process service container (own vhost, own database), started;
  * `rpc_to`, `rpc_as`      call it as someone (the identity signed as the gateway signs it);
  * `deliver`               hand it events as their publisher would;
  * `service_config(name)`  nameko config for such a container;
  * `store(config)`         the pymongo database behind a config, for assertions;
  * `subscriber(...)`       a plain kombu consumer on an exchange, like an outside system;
  * `run_together(n, f)`    n concurrent callers released at once (threads and a barrier);
  * `smtp_server`           a real SMTP server (aiosmtpd) that keeps what it receives;
  * `service_process(...)`  a service as a real `nameko run` process, to kill and restart;
  * `StoreProcess`          an embedded store of its own (scripts/store), to kill and restart;
  * `identity_env()`        the keys and secrets every process needs (made once per test run);
  * `as_caller(actor)`      the signed identity a call carries, as the gateway would sign it.

The whole platform as processes behind the gateway is in tests/platform.py.
"""
import mailbox
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy, ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter
from pymongo import MongoClient

from shared.events import exchange_name
from shared.identity import IdentitySigner, new_key_pair, new_symmetric_key, service_signer
from shared.publisher import EventPublisher
from shared.shell.providers import IDENTITY_HEADER
from shared.store import database_name

REPO = Path(__file__).resolve().parents[1]
SERVICE_CLASSES = {
    "planning": "services.planning.service:PlanningService",
    "delivery": "services.delivery.service:DeliveryService",
    "assessment": "services.assessment.service:AssessmentService",
    "feedback": "services.feedback.service:FeedbackService",
    "resources": "services.resources.service:ResourcesService",
    "archive": "services.archive.service:ArchiveService",
    "webhooks": "services.webhooks.service:WebhooksService",
}


# One set of keys per test run, as ./scripts/start makes one per installation.
SIGNING_KEY, VERIFYING_KEY = new_key_pair()
SERVICE_SECRET = uuid.uuid4().hex + uuid.uuid4().hex
ARCHIVE_KEYS = {"ARCHIVE_MASTER_KEY": new_symmetric_key(), "ARCHIVE_SEARCH_KEY": new_symmetric_key()}
GATEWAY_SIGNER = IdentitySigner(SIGNING_KEY)


def identity_env():
    """Keys and secrets of a test run: the services' side (identity, the archive's keys) and the
    gateway's (its signing key)."""
    return {"IDENTITY_VERIFYING_KEY": VERIFYING_KEY, "SERVICE_IDENTITY_SECRET": SERVICE_SECRET,
            "IDENTITY_SIGNING_KEY": SIGNING_KEY, **ARCHIVE_KEYS}


def as_caller(actor):
    """Worker-context data carrying `actor` ({"id", "roles"}) as the gateway signs it."""
    return {IDENTITY_HEADER: GATEWAY_SIGNER.sign(actor)}


def as_service(name):
    return {IDENTITY_HEADER: service_signer(name, SERVICE_SECRET).sign({"id": name, "roles": ["service"]})}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_together(count, action):
    """Run `action(i)` for i in range(count) in threads released at the same moment by a
    barrier; returns their results in order (an exception in a thread is returned, not raised)."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        barrier.wait()
        try:
            results[index] = action(index)
        except Exception as exc:  # the caller asserts on outcomes, failures included
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def wait_until(condition, timeout=15, interval=0.1, message="condition"):
    """Poll `condition` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


@pytest.fixture
def free_port_number():
    return free_port()


class StoreProcess:
    """An embedded store process of a test's own, on one durable file (see scripts/store)."""

    def __init__(self, path, port):
        self.path, self.port = Path(path), port
        self.log_path = self.path.with_suffix(".log")
        self.process = None
        self.clients = []

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([str(REPO / "scripts/store"), f"{self.port}={self.path}"],
                                        stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: "store: ready" in self.log_path.read_text().split("store: stopped")[-1], 30, 0.1,
                   "the store process")
        return self

    def client(self):
        self.clients.append(MongoClient(f"mongodb://127.0.0.1:{self.port}/", serverSelectionTimeoutMS=5000,
                                        tz_aware=True))
        return self.clients[-1]

    def kill(self):
        """SIGKILL: the JVM gets no chance to flush or close its files."""
        for client in self.clients:
            client.close()
        self.clients = []
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        for client in self.clients:
            client.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@pytest.fixture(scope="session")
def mongo_client():
    uri = os.environ.get("TEST_MONGO_URI")
    if not uri:
        pytest.fail("TEST_MONGO_URI is not set: run the suite with ./scripts/test")
    client = MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    yield client
    client.close()


@pytest.fixture
def mongo_uri(mongo_client):
    """Factory of MongoDB URIs, each naming a fresh database that is dropped after the test."""
    base = os.environ["TEST_MONGO_URI"].rstrip("/")
    names = []

    def make(service):
        name = f"t_{service}_{uuid.uuid4().hex[:10]}"
        names.append(name)
        return f"{base}/{name}"

    yield make
    for name in names:
        mongo_client.drop_database(name)


@pytest.fixture
def scratch_db(mongo_client):
    """A fresh database of the test store, dropped after the test."""
    name = f"t_scratch_{uuid.uuid4().hex[:10]}"
    yield mongo_client[name]
    mongo_client.drop_database(name)


@pytest.fixture
def service_config(rabbit_config, mongo_uri):
    """Factory of nameko configs for in-process containers: shared test vhost, own database."""

    def make(service, **overrides):
        config = dict(rabbit_config)
        config.update({
            "MONGO_URI": mongo_uri(service),
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
            "HANDLER_ATTEMPTS": 3,
            "HANDLER_BACKOFF_SECONDS": 0.01,
            "HANDLER_DELIVERY_LIMIT": 3,
            "serializer": "json",
            "IDENTITY_VERIFYING_KEY": VERIFYING_KEY,
            "SERVICE_IDENTITY_SECRET": SERVICE_SECRET,
            **ARCHIVE_KEYS,
        })
        config.update(overrides)
        return config

    return make


@pytest.fixture
def running_service(container_factory, service_config):
    """Start a service class in-process on the test vhost with its own database."""

    def start(service_cls, **overrides):
        container = container_factory(service_cls, service_config(service_cls.name, **overrides))
        container.start()
        return container

    return start


def rpc_to(container, caller=None, timeout=10):
    """A standalone RPC proxy to an in-process service, calling as `caller` ({"id", "roles"}; none:
    an anonymous call the service refuses); use it as a context manager."""
    return ServiceRpcProxy(container.service_name, container.config, timeout=timeout,
                           context_data=as_caller(caller) if caller else {})


def cluster_rpc(amqp_uri, caller, timeout=15):
    """RPC to services running as processes, calling as `caller`; use it as a context manager."""
    return ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout, context_data=as_caller(caller))


@pytest.fixture
def rpc_as():
    """rpc_as(container, caller): a started RPC proxy to an in-process service that calls as
    `caller` ({"id", "roles"}), one per caller, all closed after the test."""
    proxies = {}

    def proxy(container, caller):
        key = (container.service_name, caller["id"], tuple(caller["roles"]))
        if key not in proxies:
            proxies[key] = rpc_to(container, caller)
            proxies[key].service = proxies[key].start()
        return proxies[key].service

    yield proxy
    for each in proxies.values():
        each.stop()


def deliver(container, handler, source_service, *envelopes):
    """Publish envelopes as `source_service` does; return once `handler` has handled each one."""
    publisher = EventPublisher(container.config["AMQP_URI"], source_service)
    try:
        for envelope in envelopes:
            with entrypoint_waiter(container, handler):
                publisher.publish(envelope)
    finally:
        publisher.close()


@pytest.fixture
def store(mongo_client):
    """The database a service config points at."""

    def open_store(config, service):
        return mongo_client[database_name(config["MONGO_URI"], service)]

    return open_store


class SmtpSink:
    """A real SMTP server writing every message it receives to a maildir."""

    def __init__(self, directory, port=None):
        self.port = port or free_port()
        self.maildir = directory
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._listening, 15, 0.1, "the local SMTP server")

    def _listening(self):
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def messages(self):
        return list(mailbox.Maildir(self.maildir, create=False))

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def smtp_server(tmp_path):
    sink = SmtpSink(tmp_path / "maildir")
    yield sink
    sink.stop()


class EventSubscriber:
    """An outside system's view of our events: its own queue, bound with plain kombu."""

    def __init__(self, amqp_uri, service, routing_key="#"):
        self.connection = Connection(amqp_uri)
        self.exchange = Exchange(exchange_name(service), type="topic", durable=True)
        self.queue = Queue(f"test-subscriber-{uuid.uuid4().hex[:8]}", exchange=self.exchange,
                           routing_key=routing_key, exclusive=True)
        self.received = queue.Queue()
        self.consumer = self.connection.Consumer([self.queue], callbacks=[self._on_message],
                                                 accept=["json"])
        self.consumer.consume()

    def _on_message(self, body, message):
        self.received.put((body, message.delivery_info.get("routing_key"), message.properties))
        message.ack()

    def wait_for(self, event_type, timeout=15, where=lambda envelope: True):
        """The first envelope of `event_type` matching `where` (earlier others are dropped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.connection.drain_events(timeout=0.2)
            except socket.timeout:
                pass
            while not self.received.empty():
                body, routing_key, properties = self.received.get()
                if body.get("type") == event_type and where(body):
                    self.last_routing_key, self.last_properties = routing_key, properties
                    return body
        pytest.fail(f"no {event_type} event arrived within {timeout} s")

    def collect(self, seconds, where=lambda envelope: True):
        """Every envelope matching `where` that arrives within `seconds` (earlier others dropped)."""
        deadline, found = time.monotonic() + seconds, []
        while time.monotonic() < deadline:
            try:
                self.connection.drain_events(timeout=0.2)
            except socket.timeout:
                pass
            while not self.received.empty():
                body = self.received.get()[0]
                if where(body):
                    found.append(body)
        return found

    def close(self):
        self.connection.release()


@pytest.fixture
def subscriber():
    subscribers = []

    def subscribe(amqp_uri, service, routing_key="#"):
        subscribers.append(EventSubscriber(amqp_uri, service, routing_key))
        return subscribers[-1]

    yield subscribe
    for each in subscribers:
        each.close()


class ServiceProcess:
    """One service as a real process (`nameko run`), with its own ops port and log file."""

    def __init__(self, service, amqp_uri, mongo_uri, log_dir, **env):
        self.service = service
        self.ops_port = free_port()
        self.log_path = Path(log_dir) / f"{service}-{uuid.uuid4().hex[:6]}.log"
        self.env = dict(os.environ, **identity_env(), AMQP_URI=amqp_uri, MONGO_URI=mongo_uri,
                        OPS_ADDRESS=f"127.0.0.1:{self.ops_port}", LOG_LEVEL="INFO",
                        HANDLER_BACKOFF_SECONDS="0.05", OUTBOX_RELAY_INTERVAL_SECONDS="1",
                        OUTBOX_RELAY_MIN_AGE_SECONDS="0.5", PYTHONWARNINGS="ignore",
                        **{key: str(value) for key, value in env.items()})
        self.process = None

    def start(self, wait=True):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", str(REPO / "config/nameko.yaml"),
             SERVICE_CLASSES[self.service]],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()
        return self

    def url(self, path):
        return f"http://127.0.0.1:{self.ops_port}{path}"

    def wait_ready(self, timeout=60):
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"{self.service} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                return requests.get(self.url("/readyz"), timeout=1).ok
            except requests.RequestException:
                return False

        wait_until(ready, timeout, 0.2, f"{self.service} to be ready\n{self.log_tail()}")

    def kill(self):
        """SIGKILL: no clean-up, no flushing, like a crashed pod."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


@pytest.fixture
def service_process(tmp_path):
    """Start services as real processes; whatever is still running is stopped after the test."""
    started = []

    def start(service, amqp_uri, mongo_uri, **env):
        started.append(ServiceProcess(service, amqp_uri, mongo_uri, tmp_path, **env).start())
        return started[-1]

    yield start
    for process in started:
        process.stop()
