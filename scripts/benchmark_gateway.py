"""Benchmark the gateway of a running platform (./scripts/start) on 127.0.0.1; prints a table.

    RATE_LIMIT=1000000/minute ./scripts/start        # in one terminal: no rate limit in the way
    .venv/bin/python scripts/benchmark_gateway.py [--seconds 10] [--connections 8] [--settle 15] [--json out.json]

With wrk (Debian package), in one run: a bare route (/healthz: gunicorn and Flask only), a
one-RPC read (GET /api/v1/plans/{id}), a write (POST /api/v1/needs) and the dashboard (several
services at once); each at full speed with --connections, reporting requests/s, p50, p99 and the
ratio to the bare route. Then, with vegeta (an open-loop load generator; built with Go into
var/bin on first use), the one-RPC read at a steady 200 requests/s and the dashboard at 10/s:
each request is sent on schedule whether or not the last has answered, reporting p50 and p99.
Nothing is asserted: the numbers depend on the machine.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from gateway.tokens import mint

VEGETA = "github.com/tsenart/vegeta/v12@v12.12.0"
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
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script_file:
        if script:
            script_file.write(script)
            script_file.flush()
            command[1:1] = ["-s", script_file.name]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latencies = {int(p): float(value) * UNIT_MS[unit] for p, value, unit in LATENCY.findall(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "p50": latencies.get(50),
            "p99": latencies.get(99), "errors": int(non_2xx.group(1)) if non_2xx else 0}


def vegeta():
    """vegeta (an open-loop load generator in Go) from var/bin, built on first use."""
    binary = Path("var/bin/vegeta")
    if not binary.exists():
        print("building vegeta (once) into var/bin ...")
        subprocess.run(["go", "install", VEGETA], check=True, env={**os.environ, "GOBIN": str(binary.parent.resolve())})
    return str(binary)


def steady(url, token, rate, seconds):
    """Send `rate` requests a second on schedule for `seconds`, whether or not earlier ones have
    answered (so a slow answer cannot hold the load back and hide itself)."""
    attack = subprocess.run([vegeta(), "attack", f"-rate={rate}/s", f"-duration={seconds}s", "-timeout=10s",
                             "-header", f"Authorization: Bearer {token}"],
                            input=f"GET {url}\n".encode(), capture_output=True, check=True).stdout
    report = json.loads(subprocess.run([vegeta(), "report", "-type=json"], input=attack, capture_output=True,
                                       check=True).stdout)
    latencies = report["latencies"]
    return {"rps": report["rate"], "p50": latencies["50th"] / 1e6, "p99": latencies["99th"] / 1e6,
            "errors": sum(count for code, count in report["status_codes"].items() if code != "200")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--settle", type=int, default=15, help="seconds of quiet before each load")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    api = f"{args.gateway}/api/v1"
    manager, specialist = mint(["manager"], "bench-manager"), mint(["specialist"], "bench-specialist")
    plans = requests.get(f"{api}/plans?limit=1", headers={"Authorization": f"Bearer {manager}"}, timeout=10)
    plans.raise_for_status()
    if int(plans.headers.get("X-RateLimit-Limit", "0")) < 100_000:
        raise SystemExit("the gateway's rate limit would throttle the benchmark: start it with RATE_LIMIT=1000000/minute")
    plan_id = plans.json()["items"][0]["id"]

    # Each load starts on a quiet platform: after a saturating run the broker and the store keep
    # working for some seconds (expired requests, garbage collection), and a burst of writes is
    # digested (outbox, events) for longer still, so the writes come last.
    loads = {
        "bare route (/healthz)": lambda: wrk(f"{args.gateway}/healthz", None, args.seconds, args.connections),
        "one-RPC read (GET /plans/{id})": lambda: wrk(f"{api}/plans/{plan_id}", manager, args.seconds,
                                                      args.connections),
        "dashboard (several services)": lambda: wrk(f"{api}/dashboard", manager, args.seconds, args.connections),
        "one-RPC read at a steady 200/s": lambda: steady(f"{api}/plans/{plan_id}", manager, 200, args.seconds),
        "dashboard at a steady 10/s": lambda: steady(f"{api}/dashboard", manager, 10, args.seconds),
        "write (POST /needs)": lambda: wrk(f"{api}/needs", specialist, args.seconds, args.connections, WRITE_SCRIPT),
    }
    runs = {}
    for name, load in loads.items():
        time.sleep(args.settle if runs else 0)
        runs[name] = load()
    bare = runs["bare route (/healthz)"]["rps"]
    print("\n| load | requests/s | p50 (ms) | p99 (ms) | vs bare | non-2xx |\n|---|---:|---:|---:|---:|---:|")
    for name, run in runs.items():
        print(f"| {name} | {run['rps']:.0f} | {run['p50']:.1f} | {run['p99']:.1f} | {run['rps'] / bare:.2f} | "
              f"{run['errors']} |")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
