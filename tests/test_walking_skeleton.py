"""End to end through the gateway, with planning, delivery and archive as real processes on a
real broker and store: a plan approved by a manager reaches delivery, the archive and an
outside subscriber; bad requests are refused with one error shape and change nothing."""
import pytest
import requests

from shared.testing import wait_until
from tests.platform import MAX_BODY_BYTES

PLATFORM_SERVICES = ("planning", "delivery", "archive")

PLAN = {"year": 2027, "title": "Customer training 2027", "goals": ["Certify new administrators"],
        "items": [{"title": "Administration basics", "format": "online", "audience": "administrators",
                   "quarter": 1, "capacity": 30}]}


@pytest.fixture(scope="module")
def api(platform):
    class Api:
        def __init__(self):
            self.session = requests.Session()

        def call(self, method, path, role=None, subject=None, **kwargs):
            headers = kwargs.pop("headers", {})
            if role:
                headers.update(platform.auth(role, subject))
            return self.session.request(method, f"{platform.url}/api/v1{path}", headers=headers,
                                        timeout=20, **kwargs)

        def plan_count(self):
            return self.call("GET", "/plans", "auditor").json()["total"]

    return Api()


def test_an_approved_plan_reaches_delivery_archive_and_outside_subscribers(platform, api, subscriber):
    outside = subscriber(platform.amqp_uri, "planning", routing_key="PlanApproved.v1")

    created = api.call("POST", "/plans", "specialist", "sam", json=PLAN)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["status"] == "draft"
    assert api.call("POST", f"/plans/{plan['id']}/submit", "specialist", "sam").json()["status"] == "submitted"
    approved = api.call("POST", f"/plans/{plan['id']}/approve", "manager", "mia", json={"comment": "Go"})
    assert approved.status_code == 200, approved.text
    assert [entry["action"] for entry in approved.json()["history"]] == ["created", "submitted", "approved"]

    envelope = outside.wait_for("PlanApproved.v1", where=lambda e: e["subject"] == plan["id"])
    assert outside.last_routing_key == "PlanApproved.v1"
    assert envelope["specversion"] == "1.0"
    assert envelope["source"] == "/training/planning"
    assert envelope["datacontenttype"] == "application/json"
    assert envelope["data"]["approved_by"] == "mia"
    assert envelope["data"]["items"][0]["title"] == "Administration basics"
    assert envelope["correlationid"] == approved.headers["X-Request-ID"]

    delivery_view = wait_until(
        lambda: (r := api.call("GET", f"/approved-plans/{plan['id']}", "supervisor")).ok and r.json(),
        message="delivery to record the approved plan")
    assert delivery_view["items"][0]["item_id"] == plan["items"][0]["item_id"]
    archive_log = wait_until(
        lambda: [entry for entry in api.call("GET", "/archive/plan-log", "auditor").json()["items"]
                 if entry["plan_id"] == plan["id"]],
        message="the archive to log the approval")
    assert archive_log[0]["event_id"] == envelope["id"]


def test_only_a_manager_who_is_not_the_author_decides(api):
    plan = api.call("POST", "/plans", "manager", "max", json=PLAN).json()
    api.call("POST", f"/plans/{plan['id']}/submit", "manager", "max")

    by_specialist = api.call("POST", f"/plans/{plan['id']}/approve", "specialist", "sam", json={})
    by_author = api.call("POST", f"/plans/{plan['id']}/approve", "manager", "max", json={})

    assert by_specialist.status_code == 403
    assert by_author.status_code == 403
    assert by_author.json()["error"]["message"] == "a plan's author cannot decide on it"
    assert api.call("GET", f"/plans/{plan['id']}", "auditor").json()["status"] == "submitted"


def test_an_illegal_transition_answers_409_with_the_current_state(api):
    plan = api.call("POST", "/plans", "specialist", "sam", json=PLAN).json()

    response = api.call("POST", f"/plans/{plan['id']}/approve", "manager", "mia", json={})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert response.json()["error"]["details"]["status"] == "draft"


@pytest.mark.parametrize("role, body, headers, status, code", [
    (None, PLAN, {}, 401, "unauthorized"),
    (None, PLAN, {"Authorization": "Bearer not-a-jwt"}, 401, "unauthorized"),
    ("learner", PLAN, {}, 403, "forbidden"),
    ("specialist", "{not json", {"Content-Type": "application/json"}, 400, "bad_request"),
    ("specialist", dict(PLAN, owner="me"), {}, 422, "invalid_input"),
    ("specialist", dict(PLAN, year="next"), {}, 422, "invalid_input"),
    ("specialist", dict(PLAN, items=[{"title": "x", "format": "telepathy", "audience": "all"}]), {}, 422,
     "invalid_input"),
    ("specialist", "x" * (MAX_BODY_BYTES + 1), {"Content-Type": "application/json"}, 413, "payload_too_large"),
])
def test_bad_requests_get_a_clear_error_and_write_nothing(api, role, body, headers, status, code):
    before = api.plan_count()
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}

    response = api.call("POST", "/plans", role, headers=headers, **kwargs)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert isinstance(error["details"], dict)
    assert api.plan_count() == before


def test_a_learner_reads_only_their_own_archive(api):
    ada = api.call("POST", "/learners", "specialist", json={
        "learner_id": "ada", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
        "organisation": "Engines Ltd", "user_type": "customer"}).json()

    assert api.call("GET", f"/learners/{ada['learner_id']}", "learner", "ada").json()["email"] == "ada@example.com"
    assert api.call("GET", f"/learners/{ada['learner_id']}", "learner", "grace").status_code == 403
    assert api.call("GET", "/learners", "learner", "ada").status_code == 403


def test_gateway_docs_probes_and_metrics(platform, api):
    spec = requests.get(f"{platform.url}/api/openapi.json", timeout=5).json()
    assert "/api/v1/plans/{plan_id}/approve" in spec["paths"]
    docs = requests.get(f"{platform.url}/api/docs", timeout=5)
    assert docs.status_code == 200
    # Swagger UI's assets come from the gateway itself: the docs work without internet access.
    assert "/api/swagger-ui/swagger-ui-bundle.js" in docs.text
    bundle = requests.get(f"{platform.url}/api/swagger-ui/swagger-ui-bundle.js", timeout=5)
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert requests.get(f"{platform.url}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{platform.url}/readyz", timeout=5).json()["status"] == "ready"
    api.call("GET", "/plans/plan-that-does-not-exist", "auditor")
    metrics = requests.get(f"{platform.url}/metrics", timeout=5).text
    # Counted by route template, not by id, and merged across the gateway's gunicorn workers.
    assert 'training_http_requests_total{method="GET",route="/api/v1/plans/<plan_id>",status="404"}' in metrics


def test_a_service_that_is_down_answers_503_and_never_acts_on_it_later(platform, api):
    archive = platform.processes["archive"]
    learners_before = api.call("GET", "/learners", "auditor").json()["total"]
    archive.stop()
    try:
        response = api.call("POST", "/learners", "specialist", json={
            "learner_id": "grace", "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
            "organisation": "Navy", "user_type": "customer"})
        assert response.status_code == 503
        assert response.json()["error"]["details"] == {"service": "archive"}
        assert response.headers["Retry-After"]
    finally:
        archive.start()
    assert api.call("GET", "/learners", "auditor").json()["total"] == learners_before
