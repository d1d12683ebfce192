"""A company system subscribing to training events with plain kombu (any AMQP client would do).

    python examples/subscriber.py --amqp amqp://user:pass@broker:5672/training \
        --queue crm.training-events --bind planning.events:PlanPublished.v1 --bind delivery.events:#

It declares its own durable queue, binds it to the exchanges and routing keys it needs, and
prints each new event as a JSON line. With --replays SERVICE it also binds the queue to that
service's replay exchange (`<service>.replays`) under the queue's own name, so that an
administrator can replay the service's history into this queue alone (a backfill). Delivery is at least once, so it skips envelope ids it has
already handled (kept in --seen, a file, so a restart forgets nothing). With --schemas it checks
each event's data against the published JSON Schema before accepting it.
"""
import argparse
import json
import signal
import sys
from pathlib import Path

from kombu import Connection, Exchange, Queue, binding


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--amqp", required=True)
    parser.add_argument("--queue", required=True, help="your own queue name; it survives restarts")
    parser.add_argument("--bind", action="append", default=[], help="EXCHANGE:ROUTING_KEY, e.g. planning.events:#")
    parser.add_argument("--replays", action="append", default=[],
                        help="SERVICE whose replays (backfills) this queue accepts, e.g. planning")
    parser.add_argument("--seen", type=Path, help="file of envelope ids already handled")
    parser.add_argument("--schemas", type=Path, help="docs/events/schemas, to validate each event's data")
    args = parser.parse_args()

    seen = set(args.seen.read_text().split()) if args.seen and args.seen.exists() else set()
    bindings = [binding(Exchange(exchange, type="topic", durable=True), routing_key=key)
                for exchange, key in (spec.split(":", 1) for spec in args.bind)]
    bindings += [binding(Exchange(f"{service}.replays", type="topic", durable=True), routing_key=args.queue)
                 for service in args.replays]
    if not bindings:
        parser.error("give at least one --bind or --replays")
    queue = Queue(args.queue, bindings=bindings, durable=True)

    def handle(body, message):
        if body["id"] not in seen:  # a redelivery or a replay of an event already handled: skip it
            if args.schemas:
                check(body, args.schemas)
            print(json.dumps(body), flush=True)
            seen.add(body["id"])
            if args.seen:
                with args.seen.open("a") as ids:
                    ids.write(body["id"] + "\n")
        message.ack()  # only after the event is handled: a crash before this gets it again

    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    with Connection(args.amqp) as connection:
        with connection.Consumer([queue], callbacks=[handle], accept=["json"], prefetch_count=10):
            print(json.dumps({"subscribed": args.queue}), flush=True)
            while running:
                try:
                    connection.drain_events(timeout=1)
                except TimeoutError:
                    pass


def check(envelope, schemas):
    from jsonschema import Draft202012Validator  # pip install jsonschema

    schema = json.loads((schemas / f"{envelope['type']}.json").read_text())
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(envelope["data"])


if __name__ == "__main__":
    sys.exit(main())
