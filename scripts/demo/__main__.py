"""Wait for the gateway, then load demo data through it (once: skipped if plans exist).

    python scripts/demo --gateway http://127.0.0.1:8080
"""
import argparse
import importlib
import sys
import time
from pathlib import Path

import requests

from gateway.tokens import mint

SERVICES_READY_TIMEOUT_SECONDS = 120
DEMO_ORDER = ("archive", "planning", "delivery", "assessment", "feedback", "resources")


def wait_until_ready(gateway):
    deadline = time.monotonic() + SERVICES_READY_TIMEOUT_SECONDS
    headers = auth("admin", "ops-admin")
    while time.monotonic() < deadline:
        try:
            # A page of plans proves gateway, broker, planning and its store all answer.
            if requests.get(f"{gateway}/api/v1/plans?limit=1", headers=headers, timeout=3).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    sys.exit(f"the platform did not become ready within {SERVICES_READY_TIMEOUT_SECONDS} s")


def auth(role, subject):
    return {"Authorization": f"Bearer {mint([role], subject)}"}


def load(gateway):
    """Each module in scripts/demo/ (but this one) has `load(client)`; they run in DEMO_ORDER."""
    client = DemoClient(gateway)
    if client.get("/plans", "specialist")["total"]:
        print("demo data already loaded")
        return
    for name in DEMO_ORDER:
        if (Path(__file__).parent / f"{name}.py").exists():
            importlib.import_module(name).load(client)  # scripts/demo is on sys.path
    print("demo data loaded")


class DemoClient:
    """Calls the gateway as a given role; any failure stops the demo load loudly."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.shared = {}  # ids one module leaves for the next (e.g. the approved plan)

    def get(self, path, role):
        response = requests.get(f"{self.gateway}/api/v1{path}", headers=auth(role, f"demo.{role}"), timeout=10)
        if not response.ok:
            sys.exit(f"demo data: GET {path} failed: {response.status_code} {response.text}")
        return response.json()

    def post(self, path, body, role, subject=None):
        response = requests.post(f"{self.gateway}/api/v1{path}", json=body,
                                 headers=auth(role, subject or f"demo.{role}"), timeout=10)
        if not response.ok:
            sys.exit(f"demo data: POST {path} failed: {response.status_code} {response.text}")
        return response.json()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    args = parser.parse_args()
    wait_until_ready(args.gateway)
    load(args.gateway)
