"""Wait until the broker has this app's user and the exchanges it uses (an init container).

    python wait_for_topology.py <app> [topology.json]

Connects with the app's own AMQP_URI and checks each exchange with a passive declare, which
needs no permission and creates nothing. The `rabbitmq-topology` Job declares them; until it
has run, the user does not exist or an exchange is missing, and this waits (at most
TOPOLOGY_DEADLINE_SECONDS, default 600) instead of letting the app fail to bind its queues.
"""
import json
import os
import sys
import time
from pathlib import Path

from kombu import Connection


def exchanges(topology, app):
    if app == "gateway":
        return [topology["rpc_exchange"]]
    spec = topology["services"][app]
    return [topology["rpc_exchange"], f"{app}.events", f"{app}.dead-letters",
            *(f"{source}.events" for source in spec.get("consumes", []))]


def missing(uri, names):
    """The names that are not declared yet; raises if the broker refuses the connection."""
    absent = []
    with Connection(uri, connect_timeout=5) as connection:
        connection.ensure_connection(max_retries=1)
        for name in names:
            channel = connection.channel()
            try:
                channel.exchange_declare(exchange=name, type="", passive=True)
            except connection.channel_errors:  # 404 NOT_FOUND closes the channel
                absent.append(name)
            finally:
                try:
                    channel.close()
                except Exception:  # already closed by the broker
                    pass
    return absent


def main(argv, environ):
    app = argv[1]
    path = argv[2] if len(argv) > 2 else Path(__file__).with_name("topology.json")
    topology = json.loads(Path(path).read_text())
    names = exchanges(topology, app)
    deadline = time.monotonic() + float(environ.get("TOPOLOGY_DEADLINE_SECONDS", "600"))
    while True:
        try:
            absent = missing(environ["AMQP_URI"], names)
            problem = f"exchanges not declared yet: {', '.join(absent)}" if absent else None
        except Exception as exc:  # not reachable yet, or the user does not exist yet
            problem = f"broker not usable yet: {exc!r}"
        if problem is None:
            print(f"{app}: the broker topology is in place ({', '.join(names)})", flush=True)
            return 0
        if time.monotonic() > deadline:
            print(f"{app}: gave up waiting: {problem}", file=sys.stderr, flush=True)
            return 1
        print(f"{app}: {problem}; waiting for the rabbitmq-topology job", flush=True)
        time.sleep(3)


if __name__ == "__main__":
    sys.exit(main(sys.argv, os.environ))
