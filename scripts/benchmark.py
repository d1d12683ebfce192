"""Measure a running platform (./scripts/start) on this machine; prints numbers, asserts nothing.

    .venv/bin/python scripts/benchmark.py [--gateway URL] [--plans 50] [--concurrency 4]

For each plan: create, submit and approve it through the gateway (three timed requests), then
time until delivery shows it as approved (outbox → broker → delivery's handler → its store).
Bounded in count and aimed at 127.0.0.1 only.
"""
import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import requests

from gateway.tokens import mint

PLAN_ITEMS = [{"title": "Benchmark basics", "format": "online", "audience": "administrators",
               "quarter": 4, "capacity": 20}]


def timed(session, method, url, **kwargs):
    started = time.perf_counter()
    response = session.request(method, url, timeout=30, **kwargs)
    response.raise_for_status()
    return response.json(), time.perf_counter() - started


def one_plan(gateway, index):
    session = requests.Session()
    author = {"Authorization": f"Bearer {mint(['specialist'], f'bench-author-{index}')}"}
    manager = {"Authorization": f"Bearer {mint(['manager'], 'bench-manager')}"}
    api = f"{gateway}/api/v1"
    plan, create = timed(session, "POST", f"{api}/plans", headers=author,
                         json={"year": date.today().year + 1, "title": f"Benchmark plan {index}",
                               "items": PLAN_ITEMS})
    _, submit = timed(session, "POST", f"{api}/plans/{plan['id']}/submit", headers=author)
    _, approve = timed(session, "POST", f"{api}/plans/{plan['id']}/approve", headers=manager, json={})
    approved_at = time.perf_counter()
    while session.get(f"{api}/approved-plans/{plan['id']}", headers=manager, timeout=30).status_code != 200:
        if time.perf_counter() - approved_at > 30:
            raise RuntimeError(f"plan {plan['id']} never reached delivery")
        time.sleep(0.01)
    return {"create": create, "submit": submit, "approve": approve,
            "approved → visible in delivery": time.perf_counter() - approved_at}


def summary(name, seconds):
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{name:32} p50 {statistics.median(ordered) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   max {ordered[-1] * 1000:8.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    if not args.gateway.startswith(("http://127.", "http://localhost")):
        raise SystemExit("benchmarks run against this machine only")
    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(lambda index: one_plan(args.gateway, index), range(args.plans)))
    elapsed = time.perf_counter() - started
    print(f"{args.plans} plans, {args.concurrency} at a time, {elapsed:.1f} s in all "
          f"({3 * args.plans / elapsed:.1f} write requests/s)")
    for name in results[0]:
        print(summary(name, [result[name] for result in results]))


if __name__ == "__main__":
    main()
