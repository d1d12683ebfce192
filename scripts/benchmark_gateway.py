"""Benchmark the gateway of a running platform (./scripts/start) on 127.0.0.1; prints a table.

    RATE_LIMIT=1000000/minute ./scripts/start        # in one terminal: no rate limit in the way
    .venv/bin/python scripts/benchmark_gateway.py [--seconds 10] [--connections 8] [--json out.json]

With wrk (Debian package), in one run: a bare route (/healthz: gunicorn and Flask only), a
one-RPC read (GET /api/v1/plans/{id}), a write (POST /api/v1/needs) and the dashboard (several
services at once); each at full speed with --connections, reporting requests/s, p50, p99 and the
ratio to the bare route. Then the one-RPC read at a steady 200 requests/s (an open-loop load of
our own: each request is sent on schedule whether or not the last has answered), reporting p50
and p99. Nothing is asserted: the numbers depend on the machine.
"""
import argparse
import json
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

from gateway.tokens import mint

LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
WRITE_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"topic": "Benchmark topic ' .. counter .. '", "source": "sales"}')
end
"""


def wrk(url, token, seconds, connections, script=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    if script:
        command[1:1] = ["-s", script]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latencies = {int(p): float(value) * UNIT_MS[unit] for p, value, unit in LATENCY.findall(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "p50": latencies.get(50),
            "p99": latencies.get(99), "errors": int(non_2xx.group(1)) if non_2xx else 0}


def steady(url, token, rate, seconds):
    """Send `rate` requests a second on schedule for `seconds`; latencies in ms."""
    session_local, latencies, errors = threading.local(), [], []
    headers = {"Authorization": f"Bearer {token}"}

    def one():
        session = getattr(session_local, "session", None) or requests.Session()
        session_local.session = session
        started = time.perf_counter()
        response = session.get(url, headers=headers, timeout=10)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors.append(response.status_code)

    threads, start = [], time.perf_counter()
    for n in range(int(rate * seconds)):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"rps": rate, "p50": statistics.median(latencies), "p99": latencies[int(len(latencies) * 0.99) - 1],
            "errors": len(errors)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    api = f"{args.gateway}/api/v1"
    manager, specialist = mint(["manager"], "bench-manager"), mint(["specialist"], "bench-specialist")
    plans = requests.get(f"{api}/plans?limit=1", headers={"Authorization": f"Bearer {manager}"}, timeout=10)
    plans.raise_for_status()
    if int(plans.headers.get("X-RateLimit-Limit", "0")) < 100_000:
        raise SystemExit("the gateway's rate limit would throttle the benchmark: start it with RATE_LIMIT=1000000/minute")
    plan_id = plans.json()["items"][0]["id"]

    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRITE_SCRIPT)
        script.flush()
        runs = {
            "bare route (/healthz)": wrk(f"{args.gateway}/healthz", None, args.seconds, args.connections),
            "one-RPC read (GET /plans/{id})": wrk(f"{api}/plans/{plan_id}", manager, args.seconds, args.connections),
            "write (POST /needs)": wrk(f"{api}/needs", specialist, args.seconds, args.connections, script.name),
            "dashboard (several services)": wrk(f"{api}/dashboard", manager, args.seconds, args.connections),
        }
    runs["one-RPC read at a steady 200/s"] = steady(f"{api}/plans/{plan_id}", manager, 200, args.seconds)
    bare = runs["bare route (/healthz)"]["rps"]
    print(f"\n| load | requests/s | p50 (ms) | p99 (ms) | vs bare | non-2xx |\n|---|---:|---:|---:|---:|---:|")
    for name, run in runs.items():
        print(f"| {name} | {run['rps']:.0f} | {run['p50']:.1f} | {run['p99']:.1f} | {run['rps'] / bare:.2f} | "
              f"{run['errors']} |")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
