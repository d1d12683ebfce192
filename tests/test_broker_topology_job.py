"""The rabbitmq-topology Job's script against the real broker that ./scripts/test starts.

declare_topology.py runs as the Job runs it (a process, the apps' AMQP_URIs in its environment,
the management API of the broker); then each app's user does, with plain AMQP, what its app
does on the broker, and is refused what belongs to the others (DESIGN.md §3.3). Then the seven
real services run as processes, each under its own restricted user with
DECLARE_SHARED_TOPOLOGY=0 as in Kubernetes, and the gateway's RPC client under the gateway's:
RPCs, events between services, a service calling another, a redrive and a replay all work, and
the queues and bindings they declared are compared with topology.json and the users'
permissions, so the file cannot drift from the code (what each service consumes and calls is
also read from the service classes).
"""
import importlib
import json
import os
import re
import secrets
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

import amqp
import pytest
import requests
from kombu import Connection, Exchange, Queue
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from prometheus_client.parser import text_string_to_metric_families

from shared.errors import NotFound
from shared.shell.client import RpcPool
from shared.shell.handlers import AllEventsConsumer, ReliableEventHandler
from shared.shell.providers import ServiceRpc
from shared.testing import SERVICE_CLASSES, ServiceProcess, SmtpSink, as_caller, wait_until

TOPOLOGY_DIR = Path(__file__).resolve().parents[1] / "deploy" / "k8s" / "base" / "topology"
TOPOLOGY = json.loads((TOPOLOGY_DIR / "topology.json").read_text())
sys.path.insert(0, str(TOPOLOGY_DIR))
import declare_topology  # noqa: E402  (the Job's script, imported for its permission builders)

SERVICES = list(TOPOLOGY["services"])
APPS = ["gateway", *SERVICES]


class Broker:
    def __init__(self, config):
        self.amqp = urlsplit(config.getoption("RABBIT_AMQP_URI"))
        api = urlsplit(config.getoption("RABBIT_API_URI"))
        self.api = f"{api.scheme}://{api.hostname}:{api.port}"
        self.admin = (api.username, api.password)

    def uri(self, user, password, vhost):
        return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{self.amqp.hostname}:{self.amqp.port}/{quote(vhost, safe='')}"

    def get(self, path):
        response = requests.get(self.api + path, auth=self.admin, timeout=10)
        response.raise_for_status()
        return response.json()

    def delete(self, path):
        requests.delete(self.api + path, auth=self.admin, timeout=10)


def run_job(broker, uris, **extra):
    environment = dict(os.environ, RABBITMQ_MANAGEMENT_URL=broker.api, RABBITMQ_ADMIN_USERNAME=broker.admin[0],
                       RABBITMQ_ADMIN_PASSWORD=broker.admin[1], TOPOLOGY_DEADLINE_SECONDS="5",
                       **{f"{app.upper()}_AMQP_URI": uri for app, uri in uris.items()}, **extra)
    return subprocess.run([sys.executable, str(TOPOLOGY_DIR / "declare_topology.py"), str(TOPOLOGY_DIR / "topology.json")],
                          env=environment, capture_output=True, text=True, timeout=120)


def wait_for_topology(app, uri, deadline="60"):
    return subprocess.run([sys.executable, str(TOPOLOGY_DIR / "wait_for_topology.py"), app,
                           str(TOPOLOGY_DIR / "topology.json")],
                          env=dict(os.environ, AMQP_URI=uri, TOPOLOGY_DEADLINE_SECONDS=deadline),
                          capture_output=True, text=True, timeout=120)


class Deployment:
    """A vhost and one user per app, as the Job leaves them."""

    def __init__(self, config, name):
        self.broker = Broker(config)
        tag = uuid.uuid4().hex[:8]
        self.vhost = f"t-{name}-{tag}"
        self.users = {app: (f"t-{tag}-{app}", secrets.token_hex(16)) for app in APPS}
        self.uris = {app: self.broker.uri(user, password, self.vhost) for app, (user, password) in self.users.items()}

    def run_job(self):
        result = run_job(self.broker, self.uris)
        assert result.returncode == 0, result.stderr + result.stdout
        return result

    def remove(self):
        self.broker.delete(f"/api/vhosts/{quote(self.vhost, safe='')}")
        for user, _ in self.users.values():
            self.broker.delete(f"/api/users/{quote(user, safe='')}")


@pytest.fixture(scope="module")
def deployed(request):
    """A vhost and one user per app, as the Job leaves them; removed afterwards."""
    deployment = Deployment(request.config, "topology")
    before = wait_for_topology("planning", deployment.uris["planning"], deadline="1")
    try:
        result = deployment.run_job()
        yield deployment.broker, deployment.vhost, deployment.uris, result, before
    finally:
        deployment.remove()


def channel(uri):
    """A channel of a new connection as the URI's user, with publisher confirms."""
    connection = Connection(uri, transport_options={"confirm_publish": True}, connect_timeout=5)
    connection.connect()
    return connection, connection.channel()


def outcome(uri, action):
    """'ok', or the AMQP reply code that refused the action."""
    connection, chan = channel(uri)
    try:
        action(chan)
        return "ok"
    except amqp.exceptions.AMQPError as error:
        return error.reply_code
    finally:
        connection.release()


def event_queue(source, event_type, service, consumer):
    return f"evt-{source}-{event_type}--{service}.{consumer}"


QUORUM = {"x-queue-type": "quorum"}


def declare_event_queue(chan, source, service):
    """What a service's reliable handler does (shared/shell/handlers.py): the source's exchange
    declared passively, its quorum queue bound to it and, by its name, to its own redrive exchange."""
    queue = event_queue(source, "SomethingHappened.v1", service, "note-something")
    chan.exchange_declare(f"{source}.events", "topic", durable=True, auto_delete=False, passive=True)
    chan.exchange_declare(f"{service}.redrive", "direct", durable=True, auto_delete=False)
    chan.queue_declare(queue, durable=True, auto_delete=False, arguments={
        **QUORUM, "x-delivery-limit": 5, "x-dead-letter-exchange": f"{service}.dead-letters"})
    chan.queue_bind(queue, f"{source}.events", "SomethingHappened.v1")
    chan.queue_bind(queue, f"{service}.redrive", queue)


def publish(exchange, routing_key):
    return lambda chan: chan.basic_publish(amqp.Message(b"{}", delivery_mode=2), exchange=exchange,
                                           routing_key=routing_key)


# -- what the Job declares -------------------------------------------------------------------

def test_the_job_declares_exchanges_the_alternate_exchange_and_its_policy(deployed):
    broker, vhost, _, result, _ = deployed
    v = quote(vhost, safe="")
    exchanges = {e["name"]: e for e in broker.get(f"/api/exchanges/{v}")}
    for service in SERVICES:
        assert (exchanges[f"{service}.events"]["type"], exchanges[f"{service}.events"]["durable"]) == ("topic", True)
        assert exchanges[f"{service}.dead-letters"]["type"] == "fanout"
        assert (exchanges[f"{service}.redrive"]["type"], exchanges[f"{service}.replays"]["type"]) == ("direct", "topic")
        assert exchanges[f"{service}.events"]["policy"] == "unrouted-events"
    assert exchanges["nameko-rpc"]["type"] == "topic"
    assert exchanges["unrouted"]["type"] == "fanout" and not exchanges["unrouted"].get("policy")
    queue = broker.get(f"/api/queues/{v}/unrouted")
    assert queue["durable"] and queue["arguments"]["x-queue-type"] == "quorum"
    assert [b["destination"] for b in broker.get(f"/api/exchanges/{v}/unrouted/bindings/source")] == ["unrouted"]
    assert "password" not in result.stdout and all(
        urlsplit(uri).password not in result.stdout + result.stderr for uri in deployed[2].values())


def test_an_event_published_before_its_consumer_queue_exists_is_kept(deployed):
    _, _, uris, _, _ = deployed
    assert outcome(uris["delivery"], publish("delivery.events", "SessionCancelled.v1")) == "ok"
    broker, vhost = deployed[0], deployed[1]
    wait_until(lambda: broker.get(f"/api/queues/{quote(vhost, safe='')}/unrouted").get("messages", 0) >= 1, 15, 0.5,
               "the event in the unrouted queue")


def test_the_job_can_run_again(deployed):
    broker, _, uris, _, _ = deployed
    again = run_job(broker, uris)
    assert again.returncode == 0, again.stderr


def test_the_job_refuses_shared_or_missing_credentials(deployed):
    broker, vhost, uris, _, _ = deployed
    shared = dict(uris, archive=uris["planning"])
    assert "a user of its own" in run_job(broker, shared).stderr
    missing = {app: uri for app, uri in uris.items() if app != "feedback"}
    result = run_job(broker, missing)
    assert result.returncode != 0 and "FEEDBACK_AMQP_URI is not set" in result.stderr


def test_apps_wait_until_the_job_has_run(deployed):
    _, _, uris, _, before = deployed
    assert before.returncode == 1 and "gave up waiting" in before.stderr  # no user yet
    for app in APPS:
        after = wait_for_topology(app, uris[app])
        assert after.returncode == 0, after.stdout + after.stderr


# -- what each user may and may not do --------------------------------------------------------

def test_each_service_can_do_what_it_does_on_the_broker(deployed):
    _, _, uris, _, _ = deployed
    for service in SERVICES:
        uri = uris[service]
        for source in TOPOLOGY["services"][service]["consumes"]:
            assert outcome(uri, lambda chan, source=source: declare_event_queue(chan, source, service)) == "ok"

        def rpc_consumer(chan):
            chan.exchange_declare("nameko-rpc", "topic", durable=True, auto_delete=False, passive=True)
            chan.queue_declare(f"rpc-{service}", durable=True, auto_delete=False, arguments=QUORUM)
            chan.queue_bind(f"rpc-{service}", "nameko-rpc", f"{service}.*")
            chan.basic_consume(f"rpc-{service}")

        def dead_letters(chan):
            chan.exchange_declare(f"{service}.dead-letters", "fanout", durable=True, auto_delete=False)
            chan.queue_declare(f"{service}.dead-letters", durable=True, auto_delete=False, arguments=QUORUM)
            chan.queue_bind(f"{service}.dead-letters", f"{service}.dead-letters", "")
            chan.basic_consume(f"{service}.dead-letters")

        assert outcome(uri, rpc_consumer) == "ok", service
        assert outcome(uri, dead_letters) == "ok", service
        # Its own exchanges (declared at start), events, redrives, replays, and replies to a caller.
        for kind, kind_type in (("events", "topic"), ("redrive", "direct"), ("replays", "topic")):
            assert outcome(uri, lambda chan: chan.exchange_declare(f"{service}.{kind}", kind_type, durable=True,
                                                                   auto_delete=False)) == "ok", (service, kind)
        assert outcome(uri, publish(f"{service}.events", "SomethingHappened.v1")) == "ok", service
        assert outcome(uri, publish(f"{service}.redrive", f"evt-x-Y.v1--{service}.z")) == "ok", service
        assert outcome(uri, publish(f"{service}.replays", "crm.training")) == "ok", service
        assert outcome(uri, publish("nameko-rpc", str(uuid.uuid4()))) == "ok", service
        for callee in TOPOLOGY["services"][service]["calls"]:  # its calls to other services, and their replies
            def reply_queue(chan):
                queue = f"rpc.reply-{service}-{uuid.uuid4()}"
                chan.queue_declare(queue, auto_delete=False, arguments={"x-expires": 300000})
                chan.queue_bind(queue, "nameko-rpc", str(uuid.uuid4()))
                chan.basic_consume(queue)

            assert outcome(uri, reply_queue) == "ok", service
            assert outcome(uri, publish("nameko-rpc", f"{callee}.contact_details")) == "ok", (service, callee)


def test_the_gateway_can_call_every_service(deployed):
    _, _, uris, _, _ = deployed
    reply_key = str(uuid.uuid4())

    def reply_queue(chan):
        queue = f"rpc.reply-standalone_rpc_proxy-{reply_key}"
        chan.queue_declare(queue, durable=True, auto_delete=False, arguments={"x-expires": 300000})
        chan.queue_bind(queue, "nameko-rpc", reply_key)
        chan.basic_consume(queue)

    assert outcome(uris["gateway"], reply_queue) == "ok"
    for service in SERVICES:
        assert outcome(uris["gateway"], publish("nameko-rpc", f"{service}.list_things")) == "ok"


REFUSED = 403


def test_each_service_is_refused_what_belongs_to_another(deployed):
    _, _, uris, _, _ = deployed
    for service in SERVICES:
        uri = uris[service]
        other = next(s for s in SERVICES if s != service)
        foreign_queue = event_queue(service, "SomethingHappened.v1", other, "note-something")
        not_consumed = [s for s in SERVICES if s not in TOPOLOGY["services"][service]["consumes"]]
        cases = {
            "publish to another's events": publish(f"{other}.events", "SomethingHappened.v1"),
            "publish into another's queue": publish("", f"rpc-{other}"),
            "send an RPC request": publish("nameko-rpc", f"{other}.list_things"),
            "declare another's queue": lambda chan: chan.queue_declare(f"rpc-{other}", durable=True, auto_delete=False),
            "consume another's queue": lambda chan: chan.basic_consume(f"rpc-{other}"),
            "declare a queue in another's name": lambda chan: chan.queue_declare(foreign_queue, durable=True,
                                                                                   auto_delete=False),
            "take another's RPC requests": lambda chan: (chan.queue_declare(f"rpc-{service}", durable=True,
                                                                            auto_delete=False, arguments=QUORUM),
                                                          chan.queue_bind(f"rpc-{service}", "nameko-rpc", f"{other}.*")),
            "redeclare the RPC exchange": lambda chan: chan.exchange_declare("nameko-rpc", "topic", durable=True,
                                                                            auto_delete=False),
            "redeclare another's events exchange": lambda chan: chan.exchange_declare(
                f"{other}.events", "topic", durable=True, auto_delete=False),
            "delete another's exchange": lambda chan: chan.exchange_delete(f"{other}.events"),
            "redrive into another's queues": publish(f"{other}.redrive", foreign_queue),
            "replay another's events": publish(f"{other}.replays", "crm.training"),
            "publish through the default exchange": publish("", foreign_queue),
            "bind its queue to another's redrive": lambda chan: (
                chan.queue_declare(f"rpc-{service}", durable=True, auto_delete=False, arguments=QUORUM),
                chan.queue_bind(f"rpc-{service}", f"{other}.redrive", f"rpc-{service}")),
        }
        not_called = [s for s in SERVICES if s != service and s not in TOPOLOGY["services"][service]["calls"]]
        cases["call a service it does not call"] = publish("nameko-rpc", f"{not_called[0]}.contact_details")
        if not_consumed:
            cases["subscribe to events it does not consume"] = \
                lambda chan: declare_event_queue(chan, not_consumed[0], service)
        for what, action in cases.items():
            assert outcome(uri, action) == REFUSED, f"{service} may {what}"


def test_the_gateway_is_refused_everything_but_rpc(deployed):
    _, _, uris, _, _ = deployed
    uri = uris["gateway"]
    reply_queue = f"rpc.reply-standalone_rpc_proxy-{uuid.uuid4()}"
    cases = {
        "publish an event": publish("planning.events", "PlanApproved.v1"),
        "answer as a service": publish("nameko-rpc", str(uuid.uuid4())),
        "declare a service's queue": lambda chan: chan.queue_declare("rpc-planning", durable=True, auto_delete=False),
        "consume a service's queue": lambda chan: chan.basic_consume("rpc-planning"),
        "take RPC requests": lambda chan: (chan.queue_declare(reply_queue, durable=True, auto_delete=False),
                                           chan.queue_bind(reply_queue, "nameko-rpc", "planning.*")),
    }
    for what, action in cases.items():
        assert outcome(uri, action) == REFUSED, f"the gateway may {what}"


def test_a_subscriber_binds_only_its_own_queue_names_to_a_replay_exchange(deployed):
    """The subscriber guide's broker user (docs/integration/subscribing.md): its own queues, the
    events and replay exchanges it reads, and, by topic permission, only its own names as binding
    keys on the replay exchange, so it cannot receive another subscriber's backfill."""
    broker, vhost, _, _, _ = deployed
    user, password = f"t-crm-{uuid.uuid4().hex[:8]}", secrets.token_hex(16)
    v, u = quote(vhost, safe=""), quote(user, safe="")
    admin = {"auth": broker.admin, "timeout": 10}
    for path, body in ((f"/api/users/{u}", {"password": password, "tags": ""}),
                       (f"/api/permissions/{v}/{u}", {"configure": r"^crm\.", "write": r"^crm\.",
                                                      "read": r"^(crm\..*|planning\.events|planning\.replays)$"}),
                       (f"/api/topic-permissions/{v}/{u}", {"exchange": "planning.replays", "write": "^$",
                                                            "read": r"^crm\."})):
        requests.put(broker.api + path, json=body, **admin).raise_for_status()
    uri = broker.uri(user, password, vhost)

    def bind(queue, routing_key):
        return lambda chan: (chan.queue_declare(queue, durable=True, auto_delete=False),
                             chan.queue_bind(queue, "planning.replays", routing_key))

    try:
        assert outcome(uri, bind("crm.training", "crm.training")) == "ok"
        assert outcome(uri, lambda chan: chan.queue_bind("crm.training", "planning.events", "#")) == "ok"
        assert outcome(uri, bind("crm.backfill", "warehouse.training")) == REFUSED  # another's queue name
        assert outcome(uri, bind("crm.backfill", "#")) == REFUSED  # everyone's replays
    finally:
        broker.delete(f"/api/users/{u}")


# -- the real services under their own users ------------------------------------------------

def consumed_and_called(service):
    """(sources whose events the service class consumes, services it calls), read from the class."""
    module, name = SERVICE_CLASSES[service].split(":")
    cls = getattr(importlib.import_module(module), name)
    consumes, calls = set(), set()
    for klass in cls.__mro__:
        for attribute in vars(klass).values():
            if isinstance(attribute, ServiceRpc):
                calls.add(attribute.target_service)
            for extension in getattr(attribute, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(extension, ReliableEventHandler):
                    consumes.add(extension.source_service)
                elif isinstance(extension, AllEventsConsumer):
                    consumes.update(TOPOLOGY["services"])  # checked against the catalogue below
    return consumes, calls


def test_topology_names_what_each_service_class_consumes_and_calls():
    from shared.events import CATALOGUE

    publishers = {event_type.source for event_type in CATALOGUE.values()}
    for service, spec in TOPOLOGY["services"].items():
        consumes, calls = consumed_and_called(service)
        if service == "webhooks":  # every exchange of the catalogue
            consumes = publishers
        assert sorted(spec["consumes"]) == sorted(consumes), f"{service}: `consumes` should be {sorted(consumes)}"
        assert sorted(spec["calls"]) == sorted(calls), f"{service}: `calls` should be {sorted(calls)}"
    assert set(TOPOLOGY["gateway"]["calls"]) == set(SERVICES) == set(SERVICE_CLASSES)


class Running:
    """The seven services as processes, each under its own user, on a vhost the Job prepared."""

    def __init__(self, deployment, processes, databases, mail):
        self.deployment, self.processes, self.databases, self.mail = deployment, processes, databases, mail
        self.broker, self.vhost, self.uris = deployment.broker, deployment.vhost, deployment.uris

    def metrics(self, service):
        return requests.get(self.processes[service].url("/metrics"), timeout=10).text

    def management(self, what):
        return self.broker.get(f"/api/{what}/{quote(self.vhost, safe='')}")


@pytest.fixture(scope="module")
def running(request, mongo_client, tmp_path_factory):
    deployment = Deployment(request.config, "live")
    deployment.run_job()
    base = os.environ["TEST_MONGO_URI"].rstrip("/")
    databases = {service: f"t_{service}_{uuid.uuid4().hex[:10]}" for service in SERVICES}
    logs = tmp_path_factory.mktemp("restricted")
    mail = SmtpSink(tmp_path_factory.mktemp("mail") / "maildir")  # delivery emails enrolled learners
    email = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mail.port, "DELIVERY_MESSAGE_CHANNELS": "email"}
    processes = {service: ServiceProcess(service, deployment.uris[service], f"{base}/{databases[service]}", logs,
                                         DECLARE_SHARED_TOPOLOGY=0, **(email if service == "delivery" else {}))
                 for service in SERVICES}
    try:
        for process in processes.values():
            process.start(wait=False)
        for process in processes.values():
            process.wait_ready(90)
        yield Running(deployment, processes, databases, mail)
    finally:
        mail.stop()
        for process in processes.values():  # all at once, before their vhost goes
            if process.process is not None and process.process.poll() is None:
                process.process.terminate()
        for process in processes.values():
            process.stop()
        deployment.remove()
        for name in databases.values():
            mongo_client.drop_database(name)


@pytest.fixture
def gateway_client(running, monkeypatch):
    """The gateway's RPC client (shared/shell/client.py) under the gateway's user, as in Kubernetes."""
    monkeypatch.setenv("DECLARE_SHARED_TOPOLOGY", "0")
    pool = RpcPool(running.uris["gateway"], timeout_seconds=10, size=2)

    def call(service, method, *args, caller=("ops", ["admin"])):
        identity = as_caller({"id": caller[0], "roles": list(caller[1])})["identity"]
        return pool.call(service, method, *args, identity=identity, correlation_id=f"test-{uuid.uuid4().hex[:8]}")

    yield call
    pool.close()


def sample(text, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`."""
    return sum(each.value for family in text_string_to_metric_families(text) for each in family.samples
               if each.name == name and labels.items() <= each.labels.items())


def test_the_services_and_the_gateway_client_run_under_their_own_users(running, gateway_client, monkeypatch):
    users = {running.deployment.users[service][0] for service in SERVICES}

    def connected():  # the management API lists connections a few seconds late
        return {c["user"] for c in running.broker.get("/api/connections") if c["vhost"] == running.vhost}

    wait_until(lambda: connected() >= users, 30, 1, "every service's connections")
    assert connected() == users  # every service connected as its own user, nobody else
    for service in SERVICES:  # the gateway's user calls each of them
        assert gateway_client(service, "list_dead_letters", {})["total"] == 0
    # Declaring nameko's RPC exchange, as nameko does by default, is refused to the gateway's user.
    monkeypatch.setenv("DECLARE_SHARED_TOPOLOGY", "1")
    refused = RpcPool(running.uris["gateway"], timeout_seconds=5, size=1)
    with pytest.raises(Exception, match="ACCESS_REFUSED"):
        refused.call("planning", "list_dead_letters", {}, identity=as_caller({"id": "ops", "roles": ["admin"]})["identity"],
                     correlation_id="test-refused")
    refused.close()


def test_events_and_calls_flow_between_the_users(running, gateway_client):
    learner = f"ada-{uuid.uuid4().hex[:6]}"
    gateway_client("archive", "register_learner", {
        "learner_id": learner, "first_name": "Ada", "last_name": "Lovelace", "email": f"{learner}@example.com",
        "organisation": "Engines Ltd", "user_type": "customer"}, caller=("sam", ["specialist"]))
    for consumer in ("delivery", "webhooks"):  # archive's event reaches both, under their users
        wait_until(lambda consumer=consumer: sample(running.metrics(consumer), "training_events_consumed_total",
                                                    source="archive", event_type="LearnerRegistered.v1",
                                                    outcome="applied") >= 1, 30, 0.5,
                   f"{consumer} to apply LearnerRegistered.v1")
    start = (datetime.now(timezone.utc) + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    session = gateway_client("delivery", "schedule_session", {
        "title": "Basics", "format": "classroom", "capacity": 20, "min_participants": 1,
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(),
        "timezone": "Europe/Berlin", "venue": "Room 4", "room_id": "room-4", "trainer_ids": ["tom"]},
        caller=("sue", ["supervisor"]))
    gateway_client("delivery", "enrol", session["id"], {}, caller=(learner, ["learner"]))
    # delivery's own LearnerEnrolled.v1 handler asks archive for the learner's contact details:
    # a service calling another (ServiceRpc) through nameko-rpc, under delivery's user.
    wait_until(lambda: sample(running.metrics("archive"), "training_entrypoint_requests_total",
                              entrypoint="contact_details") >= 1, 30, 0.5, "delivery to call archive")
    assert sample(running.metrics("archive"), "training_entrypoint_errors_total", entrypoint="contact_details") == 0
    # ... and got them: the invitation went to the address archive keeps.
    wait_until(lambda: [m for m in running.mail.messages() if m["X-RcptTo"] == f"{learner}@example.com"], 30, 0.5,
               "the invitation email")


def test_a_redrive_and_a_replay_go_through_the_services_own_exchanges(running, gateway_client):
    admin = Connection(running.broker.uri(*running.broker.admin, running.vhost))
    try:
        # An invalid event on assessment's exchange: planning parks it.
        admin.Producer().publish({"type": "ExamGraded.v1", "not": "an envelope"},
                                 exchange=Exchange("assessment.events", type="topic", durable=True),
                                 routing_key="ExamGraded.v1", serializer="json", declare=[])
        parked = wait_until(lambda: gateway_client("planning", "list_dead_letters", {})["items"], 30, 0.5,
                            "planning to park the invalid event")
        assert gateway_client("planning", "redrive_dead_letter", parked[0]["id"])["status"] == "redriven"
        # Back in its queue through planning.redrive, it is parked again (it is still invalid).
        wait_until(lambda: gateway_client("planning", "list_dead_letters", {})["total"] == 1, 30, 0.5,
                   "the redriven event to come back")

        since = datetime.now(timezone.utc) - timedelta(minutes=1)
        gateway_client("planning", "record_need", {"topic": "Reporting", "source": "interview",
                                                   "evidence": "asked twice"},
                       caller=("sam", ["specialist"]))
        warehouse = f"warehouse-{uuid.uuid4().hex[:6]}"
        Queue(warehouse, exchange=Exchange("planning.replays", type="topic", durable=True), routing_key=warehouse,
              durable=True)(admin.default_channel).declare()
        Queue(f"{warehouse}-unbound", durable=True)(admin.default_channel).declare()
        request = {"since": since.isoformat(), "until": (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat()}
        result = wait_until(lambda: (found := gateway_client("planning", "replay_events", dict(request, queue=warehouse)))
                            ["replayed"] and found, 30, 0.5, "the need's event to be kept for replay")
        depth = admin.default_channel.queue_declare(warehouse, passive=True).message_count
        assert depth == result["replayed"] >= 1
        with pytest.raises(NotFound):
            gateway_client("planning", "replay_events", dict(request, queue=f"{warehouse}-unbound"))
        assert admin.default_channel.queue_declare(f"{warehouse}-unbound", passive=True).message_count == 0
        for queue in (warehouse, f"{warehouse}-unbound"):  # the subscriber's, not the platform's
            admin.default_channel.queue_delete(queue)
    finally:
        admin.release()


def test_topology_matches_what_the_running_services_declare(running):
    """Every queue the running services declared belongs to exactly one app's user, every binding
    is one that user may make, and every consumer and caller in topology.json is real."""
    queues = {q["name"]: q for q in running.management("queues")}
    bindings = [b for b in running.management("bindings") if b["source"]]
    exchanges = {e["name"] for e in running.management("exchanges") if e["name"] and not e["name"].startswith("amq.")}
    declared_by_job = {path.rsplit("/", 1)[1] for _, path, _ in declare_topology.plan(
        TOPOLOGY, {app: ("u-" + app, "p", "v") for app in APPS}, "admin") if path.startswith("/api/queues/")}
    owners = {}
    for queue in set(queues) - declared_by_job:  # (the `unrouted` queue is the Job's)
        fitting = [app for app in APPS
                   if re.fullmatch(declare_topology.permissions(TOPOLOGY, app)["configure"], queue)]
        assert len(fitting) == 1, f"queue {queue} belongs to {fitting or 'no app'}"
        owners[queue] = fitting[0]
    # (the gateway client's reply queues outlive it for nameko's x-expires of 5 minutes)
    assert {owner for owner in owners.values()} == set(APPS)
    for name, queue in queues.items():
        if name.startswith(("rpc-", "evt-")) or name.endswith(".dead-letters"):
            assert queue["type"] == "quorum", name
    for binding in [b for b in bindings if b["destination"] not in declared_by_job]:
        owner = owners[binding["destination"]]
        rights = declare_topology.permissions(TOPOLOGY, owner)
        assert re.fullmatch(rights["read"], binding["source"]), \
            f"{owner} binds {binding['destination']} to {binding['source']}: add it to its `consumes`"
        topic = declare_topology.topic_permissions(TOPOLOGY, owner)
        if binding["source"] == topic["exchange"]:
            assert re.fullmatch(topic["read"], binding["routing_key"]), binding
        if binding["source"].endswith(".redrive"):  # a handler queue, by its own name
            assert binding["routing_key"] == binding["destination"], binding
    declared_by_job = {name for _, path, _ in declare_topology.plan(
        TOPOLOGY, {app: ("u-" + app, "p", "v") for app in APPS}, "admin")
        if path.startswith("/api/exchanges/") for name in [path.rsplit("/", 1)[1]]}
    assert exchanges <= declared_by_job, exchanges - declared_by_job
    for service, spec in TOPOLOGY["services"].items():
        for source in spec["consumes"]:
            assert any(b["source"] == f"{source}.events" and owners[b["destination"]] == service for b in bindings), \
                f"{service} does not consume {source}.events any more: remove it from topology.json"
        # A service that calls others has its reply queue; one that calls nobody has none.
        replies = [q for q in queues if q.startswith(f"rpc.reply-{service}-")]
        assert bool(replies) == bool(spec["calls"]), (service, replies)
