"""Declare the platform's broker topology and its users through the RabbitMQ management API.

Run by the `rabbitmq-topology` Job before the apps start (they wait for it, see
wait_for_topology.py). Idempotent: every call is a PUT (or a binding, which RabbitMQ keeps once).

    python declare_topology.py topology.json

Environment:
    RABBITMQ_MANAGEMENT_URL     e.g. http://rabbitmq:15672
    RABBITMQ_ADMIN_USERNAME, RABBITMQ_ADMIN_PASSWORD   an administrator (the operator's default user)
    <APP>_AMQP_URI              for the gateway and each service: its own user, password and vhost
    TOPOLOGY_DEADLINE_SECONDS   how long to wait for the management API (default 600)

What it declares (DESIGN.md §3.2, §3.3):
  * the vhost, and for each app a user whose permissions cover only its own exchanges and
    queues, the exchanges it consumes, and RPC;
  * topic permissions on the RPC exchange: the gateway may send requests to the services, a
    service may send replies and requests to the services it calls (`calls`), and bind only its
    own requests and replies;
  * each service's exchanges `<service>.events`, `.dead-letters`, `.redrive` (redrives to its
    handler queues) and `.replays` (replays to subscribers' queues), and the RPC exchange, so
    that no app needs the right to declare another's exchange (the apps run with
    DECLARE_SHARED_TOPOLOGY=0 and only check those exist: shared/shell/topology.py);
  * the `unrouted` alternate exchange with its quorum queue and the policy that gives it to every
    `<service>.events` exchange: an event published before its consumers' queues exist is kept.
Standard library only: it runs in any Python 3 image.
"""
import base64
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# The kit's names (shared/shell): evt-<source>-<EventType.vN>--<service>.<consumer> for a
# handler, evt-all--<service>.<consumer> for a consumer of every event, rpc-<service>,
# rpc.reply-<caller>-<uuid>, <service>.dead-letters.
CONSUMER = r"[a-z0-9][a-z0-9-]*"
EVENT_QUEUE = r"evt-([a-z]+-[A-Za-z0-9]+\.v[0-9]+|all)--{service}\." + CONSUMER
STANDALONE_REPLY_QUEUE = rf"rpc\.reply-standalone_rpc_proxy-{UUID}"
REQUEST_KEY = r"[a-z_]+\.[A-Za-z0-9_]+"  # <service>.<method>
# The exchanges each service owns, and their types.
# `.replays` is a topic exchange so that subscribers' users can be limited, by topic permissions,
# to binding their own queue names there (docs/integration/subscribing.md).
OWN_EXCHANGES = {"events": "topic", "dead-letters": "fanout", "redrive": "direct", "replays": "topic"}


def apps(topology):
    return ["gateway", *topology["services"]]


def exact(*alternatives):
    return "^(" + "|".join(alternatives) + ")$"


def permissions(topology, app):
    """(configure, write, read) regular expressions of one app's user."""
    rpc = re.escape(topology["rpc_exchange"])
    if app == "gateway":
        # Publishes requests, owns its reply queues (declare, bind to the RPC exchange, consume).
        return {"configure": exact(STANDALONE_REPLY_QUEUE),
                "write": exact(rpc, STANDALONE_REPLY_QUEUE),
                "read": exact(rpc, STANDALONE_REPLY_QUEUE)}
    spec = topology["services"][app]
    name = re.escape(app)
    queues = [EVENT_QUEUE.format(service=name), f"rpc-{name}", rf"{name}\.dead-letters"]
    if spec.get("calls"):
        queues.append(rf"rpc\.reply-{name}-{UUID}")
    own_exchanges = [rf"{name}\.{kind}" for kind in OWN_EXCHANGES]
    consumed = [rf"{re.escape(source)}\.events" for source in spec.get("consumes", [])]
    return {
        # Its own queues and exchanges only; everything else is declared by this job.
        "configure": exact(*queues, *own_exchanges),
        # Publishing to its own exchanges (events, redrives, replays) and RPC; binding its own
        # queues (write on the queue); its dead-letter exchange, named by its queues'
        # x-dead-letter-exchange.
        "write": exact(*queues, *own_exchanges, rpc),
        # Consuming its own queues; binding them to the exchanges it consumes, to its
        # dead-letter and redrive exchanges and to RPC.
        "read": exact(*queues, *consumed, rf"{name}\.dead-letters", rf"{name}\.redrive", rpc),
    }


def topic_permissions(topology, app):
    """Routing keys an app may use on the RPC exchange (a topic exchange)."""
    if app == "gateway":
        services = "|".join(re.escape(s) for s in topology["gateway"]["calls"])
        return {"exchange": topology["rpc_exchange"],
                "write": rf"^({services})\.[A-Za-z0-9_]+$", "read": f"^{UUID}$"}
    spec = topology["services"][app]
    calls = "|".join(re.escape(s) for s in spec.get("calls", []))
    # Replies go to the caller's reply queue, whose binding key is a UUID; requests to the
    # services it calls. It binds its own request queue (`<service>.*`) and its reply queues.
    write = f"^({UUID}|({calls})\\.[A-Za-z0-9_]+)$" if calls else f"^{UUID}$"
    return {"exchange": topology["rpc_exchange"], "write": write,
            "read": rf"^({re.escape(app)}\.\*|{UUID})$"}


def credentials(topology, environ):
    """{app: (user, password, vhost)} from each app's <APP>_AMQP_URI."""
    found = {}
    for app in apps(topology):
        variable = f"{app.upper()}_AMQP_URI"
        uri = environ.get(variable)
        if not uri:
            raise SystemExit(f"{variable} is not set")
        parts = urllib.parse.urlsplit(uri)
        if not (parts.username and parts.password):
            raise SystemExit(f"{variable} has no user or password")
        vhost = urllib.parse.unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
        found[app] = (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password), vhost)
    vhosts = {vhost for _, _, vhost in found.values()}
    if len(vhosts) != 1:
        raise SystemExit(f"the apps' AMQP_URIs name different vhosts: {sorted(vhosts)}")
    users = [user for user, _, _ in found.values()]
    if len(set(users)) != len(users):
        raise SystemExit("each app needs a user of its own in its AMQP_URI")
    return found


def plan(topology, creds, admin_user):
    """The management API calls, in order: (method, path, body)."""
    (vhost,) = {vhost for _, _, vhost in creds.values()}
    v = urllib.parse.quote(vhost, safe="")
    calls = [
        ("PUT", f"/api/vhosts/{v}", {"description": "training platform", "tracing": False}),
        ("PUT", f"/api/permissions/{v}/{urllib.parse.quote(admin_user, safe='')}",
         {"configure": ".*", "write": ".*", "read": ".*"}),
    ]
    for app, (user, password, _) in creds.items():
        u = urllib.parse.quote(user, safe="")
        calls.append(("PUT", f"/api/users/{u}", {"password": password, "tags": ""}))
        calls.append(("PUT", f"/api/permissions/{v}/{u}", permissions(topology, app)))
        calls.append(("PUT", f"/api/topic-permissions/{v}/{u}", topic_permissions(topology, app)))
    exchanges = [(topology["rpc_exchange"], "topic"), (topology["alternate_exchange"], "fanout")]
    for service in topology["services"]:
        exchanges += [(f"{service}.{kind}", kind_type) for kind, kind_type in OWN_EXCHANGES.items()]
    for name, kind in exchanges:
        calls.append(("PUT", f"/api/exchanges/{v}/{urllib.parse.quote(name, safe='')}",
                      {"type": kind, "durable": True, "auto_delete": False, "internal": False,
                       "arguments": {}}))
    unrouted = urllib.parse.quote(topology["alternate_exchange"], safe="")
    calls += [
        ("PUT", f"/api/queues/{v}/{unrouted}",
         {"durable": True, "auto_delete": False, "arguments": {"x-queue-type": "quorum"}}),
        ("POST", f"/api/bindings/{v}/e/{unrouted}/q/{unrouted}", {"routing_key": "", "arguments": {}}),
        ("PUT", f"/api/policies/{v}/unrouted-events",
         {"pattern": r"^[a-z]+\.events$", "apply-to": "exchanges", "priority": 0,
          "definition": {"alternate-exchange": topology["alternate_exchange"]}}),
    ]
    return calls


class ManagementApi:
    def __init__(self, url, user, password):
        self.url = url.rstrip("/")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=self.headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    def wait(self, deadline_seconds):
        deadline = time.monotonic() + deadline_seconds
        while True:
            try:
                return self.call("GET", "/api/overview")
            except (urllib.error.URLError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the management API at {self.url} did not answer: {exc}")
                print(f"waiting for the management API: {exc}", flush=True)
                time.sleep(5)


def main(argv, environ):
    with open(argv[1]) as file:
        topology = json.load(file)
    creds = credentials(topology, environ)
    admin_user = environ["RABBITMQ_ADMIN_USERNAME"]
    api = ManagementApi(environ["RABBITMQ_MANAGEMENT_URL"], admin_user, environ["RABBITMQ_ADMIN_PASSWORD"])
    api.wait(float(environ.get("TOPOLOGY_DEADLINE_SECONDS", "600")))
    for method, path, body in plan(topology, creds, admin_user):
        try:
            api.call(method, path, body)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise SystemExit(f"{method} {path} failed: {exc.code} {detail}")
        print(f"{method} {path}", flush=True)  # never the body: it may hold a password
    (vhost,) = {vhost for _, _, vhost in creds.values()}
    print(f"topology of vhost {vhost!r} declared for {', '.join(creds)}", flush=True)


if __name__ == "__main__":
    main(sys.argv, os.environ)
