"""The rabbitmq-topology Job's script against the real broker that ./scripts/test starts.

declare_topology.py runs as the Job runs it (a process, the apps' AMQP_URIs in its environment,
the management API of the broker); then each app's user does, with plain AMQP, what its app
does on the broker, and is refused what belongs to the others (DESIGN.md §3.3). Last, the six
real services run and the queues and bindings they declare are compared with topology.json and
the users' permissions, so the file cannot drift from the code.
"""
import json
import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import amqp
import pytest
import requests
from kombu import Connection

from shared.testing import SERVICE_CLASSES, wait_until

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


@pytest.fixture(scope="module")
def deployed(request):
    """A vhost and one user per app, as the Job leaves them; removed afterwards."""
    broker = Broker(request.config)
    tag = uuid.uuid4().hex[:8]
    vhost = f"t-topology-{tag}"
    users = {app: (f"t-{tag}-{app}", secrets.token_hex(16)) for app in APPS}
    uris = {app: broker.uri(user, password, vhost) for app, (user, password) in users.items()}
    before = wait_for_topology("planning", uris["planning"], deadline="1")
    result = run_job(broker, uris)
    try:
        assert result.returncode == 0, result.stderr + result.stdout
        yield broker, vhost, uris, result, before
    finally:
        broker.delete(f"/api/vhosts/{quote(vhost, safe='')}")
        for user, _ in users.values():
            broker.delete(f"/api/users/{quote(user, safe='')}")


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


def declare_event_queue(chan, source, service):
    """What a service's reliable handler does: its quorum queue, bound to the source exchange."""
    queue = event_queue(source, "SomethingHappened.v1", service, "on_something")
    chan.queue_declare(queue, durable=True, auto_delete=False, arguments={
        "x-queue-type": "quorum", "x-delivery-limit": 5, "x-dead-letter-exchange": f"{service}.dead-letters"})
    chan.queue_bind(queue, f"{source}.events", "SomethingHappened.v1")


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
            chan.queue_declare(f"rpc-{service}", durable=True, auto_delete=False)
            chan.queue_bind(f"rpc-{service}", "nameko-rpc", f"{service}.*")
            chan.basic_consume(f"rpc-{service}")

        def dead_letters(chan):
            chan.exchange_declare(f"{service}.dead-letters", "fanout", durable=True, auto_delete=False)
            chan.queue_declare(f"{service}.dead-letters", durable=True, auto_delete=False)
            chan.queue_bind(f"{service}.dead-letters", f"{service}.dead-letters", "")
            chan.basic_consume(f"{service}.dead-letters")

        assert outcome(uri, rpc_consumer) == "ok", service
        assert outcome(uri, dead_letters) == "ok", service
        # Its own events (the publisher declares its exchange), and replies to an RPC caller.
        assert outcome(uri, lambda chan: chan.exchange_declare(f"{service}.events", "topic", durable=True, auto_delete=False)) == "ok"
        assert outcome(uri, publish(f"{service}.events", "SomethingHappened.v1")) == "ok", service
        assert outcome(uri, publish("nameko-rpc", str(uuid.uuid4()))) == "ok", service


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
        foreign_queue = event_queue(service, "SomethingHappened.v1", other, "on_something")
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
                                                                            auto_delete=False),
                                                          chan.queue_bind(f"rpc-{service}", "nameko-rpc", f"{other}.*")),
            "redeclare the RPC exchange": lambda chan: chan.exchange_declare("nameko-rpc", "topic", durable=True,
                                                                            auto_delete=False),
            "delete another's exchange": lambda chan: chan.exchange_delete(f"{other}.events"),
        }
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


# -- topology.json against the code ----------------------------------------------------------

def test_topology_matches_what_the_running_services_declare(request, service_process, mongo_uri):
    """The six services (today's kit, with full rights on a vhost of their own) declare queues
    and bindings; each must be one the Job's permissions grant to that service's own user."""
    broker = Broker(request.config)
    vhost = f"t-code-{uuid.uuid4().hex[:8]}"
    v = quote(vhost, safe="")
    requests.put(f"{broker.api}/api/vhosts/{v}", auth=broker.admin, timeout=10).raise_for_status()
    requests.put(f"{broker.api}/api/permissions/{v}/{broker.admin[0]}", auth=broker.admin, timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    try:
        uri = broker.uri(broker.admin[0], broker.admin[1], vhost)
        processes = [service_process(name, uri, mongo_uri(name)) for name in SERVICE_CLASSES]
        from nameko.standalone.rpc import ClusterRpcProxy
        with ClusterRpcProxy({"AMQP_URI": uri}, timeout=10) as proxy:  # the gateway's kind of client
            proxy.planning.list_dead_letters()
        queues = {q["name"] for q in broker.get(f"/api/queues/{v}")}
        bindings = [b for b in broker.get(f"/api/bindings/{v}") if b["source"]]
        exchanges = {e["name"] for e in broker.get(f"/api/exchanges/{v}") if e["name"] and not e["name"].startswith("amq.")}
        assert all(p.process.poll() is None for p in processes)
        for process in processes:  # before their vhost goes, or they keep reconnecting
            process.stop()
    finally:
        broker.delete(f"/api/vhosts/{v}")
    owners = {}
    for queue in queues:
        fitting = [app for app in APPS
                   if re.fullmatch(declare_topology.permissions(TOPOLOGY, app)["configure"], queue)]
        assert len(fitting) == 1, f"queue {queue} belongs to {fitting or 'no app'}"
        owners[queue] = fitting[0]
    assert {owner for owner in owners.values()} == set(APPS)
    for binding in bindings:
        owner = owners[binding["destination"]]
        rights = declare_topology.permissions(TOPOLOGY, owner)
        assert re.fullmatch(rights["read"], binding["source"]), \
            f"{owner} binds {binding['destination']} to {binding['source']}: add it to its `consumes`"
        topic = declare_topology.topic_permissions(TOPOLOGY, owner)
        if binding["source"] == topic["exchange"]:
            assert re.fullmatch(topic["read"], binding["routing_key"]), binding
    declared_by_job = {name for _, path, _ in declare_topology.plan(
        TOPOLOGY, {app: ("u-" + app, "p", "v") for app in APPS}, "admin")
        if path.startswith("/api/exchanges/") for name in [path.rsplit("/", 1)[1]]}
    assert exchanges <= declared_by_job, exchanges - declared_by_job
    # Every consumer named in topology.json has a queue, so the lists say no more than the code does.
    for service, spec in TOPOLOGY["services"].items():
        for source in spec["consumes"]:
            assert any(b["source"] == f"{source}.events" and owners[b["destination"]] == service for b in bindings), \
                f"{service} does not consume {source}.events any more: remove it from topology.json"
