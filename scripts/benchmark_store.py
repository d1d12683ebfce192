"""Benchmark the embedded store (scripts/store) at growing collection sizes; prints a table.

    .venv/bin/python scripts/benchmark_store.py [--sizes 1000 10000 100000] [--samples 200]

Starts a store process of its own on a temporary file, fills one collection with plan-like
documents of about 4.5 KB, and times what the services do most: find by _id, a filtered page of
20 sorted on an indexed field, an insert, and a conditional update guarded by the current state.
Reports p50/p99 in milliseconds and the store's resident memory. A script, not a test: the
numbers depend on the machine.
"""
import argparse
import json
import random
import socket
import statistics
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pymongo import ASCENDING, DESCENDING, MongoClient, ReturnDocument

REPO = Path(__file__).resolve().parents[1]
STATUSES = ("draft", "submitted", "approved", "published")


def plan_like(number):
    """About 4.5 KB: a plan with eight items, history and an empty outbox."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=number)
    return {
        "_id": f"plan-{number:08d}", "year": 2026, "title": f"Customer training plan {number}",
        "status": STATUSES[number % len(STATUSES)], "revision": 1, "updated_at": start,
        "goals": ["Fewer support tickets", "Faster onboarding", "Higher adoption of reports"],
        "items": [{"item_id": f"item-{number}-{n}", "title": f"Workshop {n} on the reporting module",
                   "format": "classroom", "audience": "retail administrators", "capacity": 16,
                   "topics": ["Report builder", "Dashboards", "Exports"], "objectives": ["x" * 180],
                   "schedule": {"timezone": "Europe/Berlin", "duration_minutes": 180,
                                "session_starts": ["2026-05-04T09:00", "2026-06-01T09:00"]}}
                  for n in range(8)],
        "history": [{"action": "created", "by": "sam", "at": start, "revision": 1, "comment": None}],
        "outbox": [],
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(action, samples):
    action(0)  # warm-up: the first call after loading fills the page cache
    durations = []
    for index in range(samples):
        started = time.perf_counter()
        action(index)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return {"p50": statistics.median(durations), "p99": durations[min(len(durations) - 1, int(len(durations) * 0.99))]}


def resident_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(collection, size, samples):
    collection.drop()
    collection.create_index([("status", ASCENDING), ("updated_at", DESCENDING)])
    batch = 1000
    for first in range(0, size, batch):
        collection.insert_many([plan_like(number) for number in range(first, min(size, first + batch))])
    ids = [f"plan-{random.randrange(size):08d}" for _ in range(samples)]
    fresh = iter(range(size, size + samples + 1))
    results = {
        "find by _id": timed(lambda i: collection.find_one({"_id": ids[i]}), samples),
        "page of 20 (filtered, sorted)": timed(lambda i: list(
            collection.find({"status": STATUSES[i % len(STATUSES)]}).sort([("updated_at", DESCENDING)]).limit(20)),
            max(50, samples // 4)),
        "insert": timed(lambda i: collection.insert_one(plan_like(next(fresh))), samples),
        "conditional update": timed(lambda i: collection.find_one_and_update(
            {"_id": ids[i], "revision": {"$gte": 1}}, {"$inc": {"revision": 1}},
            return_document=ReturnDocument.AFTER), samples),
    }
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        port = free_port()
        log = open(Path(directory) / "store.log", "w+")
        store = subprocess.Popen([str(REPO / "scripts/store"), f"{port}={directory}/bench.mv.db"],
                                 stdout=log, stderr=subprocess.STDOUT)
        client = MongoClient(f"mongodb://127.0.0.1:{port}/", serverSelectionTimeoutMS=30000)
        try:
            client.admin.command("ping")
            rows = []
            for size in args.sizes:
                results = measure(client["benchmark"]["plans"], size, args.samples)
                rows.append({"documents": size, "resident_mib": round(resident_mib(store.pid)),
                             **{name: {key: round(value, 2) for key, value in figures.items()}
                                for name, figures in results.items()}})
                print(f"measured {size} documents", flush=True)
        finally:
            client.close()
            store.terminate()
            store.wait(30)

    operations = [name for name in rows[0] if name not in ("documents", "resident_mib")]
    print("\n| documents | " + " | ".join(f"{name} p50 / p99 (ms)" for name in operations) + " | store RSS |")
    print("|---:|" + "---:|" * len(operations) + "---:|")
    for row in rows:
        cells = [f"{row[name]['p50']:.1f} / {row[name]['p99']:.1f}" for name in operations]
        print(f"| {row['documents']:,} | " + " | ".join(cells) + f" | {row['resident_mib']} MiB |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
