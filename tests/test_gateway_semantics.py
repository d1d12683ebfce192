"""API semantics through the real gateway and a real planning process: Idempotency-Key on POST,
504 "outcome unknown" for a call that was taken but not answered in time, 503 for a service
nobody runs."""
import os
import signal
import uuid
from datetime import date

import pytest
import requests

from shared.testing import run_together, wait_until

PLATFORM_SERVICES = ("planning",)
YEAR = date.today().year + 1
PLAN = {"year": YEAR, "title": "Idempotent plan", "items": [{"title": "Basics", "format": "online",
                                                              "audience": "admins"}]}


def post(platform, path, body, key=None, subject="sam", role="specialist"):
    headers = dict(platform.auth(role, subject), **({"Idempotency-Key": key} if key else {}))
    return requests.post(f"{platform.url}/api/v1{path}", json=body, headers=headers, timeout=15)


def plans_titled(platform, title):
    response = requests.get(f"{platform.url}/api/v1/plans?limit=100", headers=platform.auth("auditor"), timeout=10)
    return [plan for plan in response.json()["items"] if plan["title"] == title]


def test_a_retried_post_with_the_same_key_writes_once_and_answers_the_same(platform):
    key, body = str(uuid.uuid4()), dict(PLAN, title=f"Retried {uuid.uuid4().hex[:6]}")
    first = post(platform, "/plans", body, key)
    again = post(platform, "/plans", body, key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(plans_titled(platform, body["title"])) == 1


def test_the_same_key_with_another_body_is_refused(platform):
    key, body = str(uuid.uuid4()), dict(PLAN, title=f"Original {uuid.uuid4().hex[:6]}")
    assert post(platform, "/plans", body, key).status_code == 201
    other = post(platform, "/plans", dict(body, title="Something else"), key)

    assert other.status_code == 422
    assert other.json()["error"]["details"] == {"header": "Idempotency-Key"}
    assert plans_titled(platform, "Something else") == []


def test_keys_belong_to_their_caller_and_a_refusal_is_replayed_too(platform):
    key, body = str(uuid.uuid4()), dict(PLAN, title=f"Per caller {uuid.uuid4().hex[:6]}")
    assert post(platform, "/plans", body, key, subject="sam").status_code == 201
    assert post(platform, "/plans", body, key, subject="sue", role="supervisor").status_code == 201
    assert len(plans_titled(platform, body["title"])) == 2

    plan = plans_titled(platform, body["title"])[0]
    refusal_key = str(uuid.uuid4())
    early = post(platform, f"/plans/{plan['id']}/approve", {}, refusal_key, subject="mia", role="manager")
    assert early.status_code == 409  # a draft cannot be approved
    assert post(platform, f"/plans/{plan['id']}/submit", {}, subject=plan["author"]).status_code == 200
    replayed = post(platform, f"/plans/{plan['id']}/approve", {}, refusal_key, subject="mia", role="manager")
    assert (replayed.status_code, replayed.json()) == (409, early.json())  # the first answer, not a new approval


def test_the_same_key_sent_at_the_same_moment_writes_once(platform):
    key, body = str(uuid.uuid4()), dict(PLAN, title=f"Raced {uuid.uuid4().hex[:6]}")
    responses = run_together(6, lambda _: post(platform, "/plans", body, key))

    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert len(plans_titled(platform, body["title"])) == 1


def test_a_call_taken_but_not_answered_in_time_is_504_outcome_unknown(platform):
    planning = platform.processes["planning"]
    title = f"Frozen {uuid.uuid4().hex[:6]}"
    os.kill(planning.process.pid, signal.SIGSTOP)  # alive and holding its queue, but not answering
    try:
        response = post(platform, "/plans", dict(PLAN, title=title))
    finally:
        os.kill(planning.process.pid, signal.SIGCONT)

    assert response.status_code == 504
    assert response.json()["error"]["code"] == "outcome_unknown"
    assert response.json()["error"]["details"] == {"service": "planning", "outcome": "unknown"}
    # It was taken, so it may well happen once the service resumes: hence "unknown", not "failed".
    wait_until(lambda: plans_titled(platform, title), timeout=20, message="the delayed request to be carried out")


@pytest.mark.parametrize("path", ["/plans"])
def test_posts_are_documented_with_the_idempotency_key(platform, path):
    spec = requests.get(f"{platform.url}/api/openapi.json", timeout=10).json()
    parameters = spec["paths"][f"/api/v1{path}"]["post"].get("parameters", [])
    assert {"$ref": "#/components/parameters/IdempotencyKey"} in parameters
