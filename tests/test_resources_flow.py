"""End to end through the gateway, with delivery and resources as real processes on a real broker
and store: a session scheduled in delivery reaches resources, whose conflict an outside subscriber
and delivery's checklist see (and whose reservation ticks the checklist); a material goes from
draft to a published, numbered file; the demo data loads; roles and bad input are refused."""
import hashlib
import importlib.util
from datetime import datetime, timedelta, timezone

import pytest
import requests

from gateway.tokens import mint
from shared.testing import REPO, wait_until
from tests.platform import TokenSettings

PLATFORM_SERVICES = ("delivery", "resources")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
# A Monday at 09:00 UTC, four weeks ahead.
MONDAY = (datetime.now(timezone.utc) + timedelta(days=28 - datetime.now(timezone.utc).weekday())).replace(
    hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def api(platform):
    session = requests.Session()

    def call(method, path, role, subject=None, expect=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}), **platform.auth(role, subject))
        response = session.request(method, f"{platform.url}/api/v1{path}", headers=headers, timeout=20, **kwargs)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    return call


def test_a_sessions_conflict_reaches_an_outside_subscriber_and_deliverys_checklist(platform, api, subscriber):
    outside = subscriber(platform.amqp_uri, "resources", routing_key="ResourceConflictDetected.v1")
    api("POST", "/trainers", "supervisor", "sue", expect=201, json={
        "trainer_id": "ada", "name": "Ada Byron", "email": "ada@example.com", "topics": ["Reporting"],
        "languages": ["en"], "working_hours": {"timezone": "UTC", "start": "08:00", "end": "18:00"}})
    room = api("POST", "/rooms", "specialist", expect=201, json={"name": "Turing", "site": "HQ", "capacity": 30}).json()

    session = api("POST", "/sessions", "supervisor", expect=201, json={
        "title": "Reporting basics", "format": "classroom", "starts_at": MONDAY.isoformat(),
        "ends_at": (MONDAY + timedelta(hours=3)).isoformat(), "capacity": 20}).json()

    envelope = outside.wait_for("ResourceConflictDetected.v1", where=lambda e: e["subject"] == session["id"])
    assert outside.last_routing_key == "ResourceConflictDetected.v1"
    assert envelope["source"] == "/training/resources"
    assert sorted((item["kind"], item["reason"]) for item in envelope["data"]["conflicts"]) == [
        ("room", "missing"), ("trainer", "missing")]
    assert {(item["kind"], item["resource_id"]) for item in envelope["data"]["alternatives"]} == {
        ("trainer", "ada"), ("room", room["id"])}
    booking = api("GET", f"/bookings/{session['id']}", "auditor", expect=200).json()
    assert (booking["status"], booking["title"]) == ("conflict", "Reporting basics")
    assert api("GET", "/bookings?status=conflict", "trainer", expect=200).json()["total"] == 1
    flagged = wait_until(lambda: (found := api("GET", f"/sessions/{session['id']}", "supervisor").json())[
        "resource_conflicts"] and found, message="delivery to flag the session's conflicts")
    assert sorted((item["kind"], item["reason"]) for item in flagged["resource_conflicts"]) == [
        ("room", "missing"), ("trainer", "missing")]


def test_a_session_whose_resources_are_free_gets_them_and_deliverys_checklist_ticks_the_venue(platform, api):
    equipment = api("POST", "/equipment", "specialist", expect=201, json={
        "asset_tag": "PRJ-1", "type": "projector", "model": "Epson X41", "purchase_date": "2024-05-01",
        "location": "HQ"}).json()
    room = api("GET", "/rooms?site=HQ", "auditor", expect=200).json()["items"][0]
    starts = MONDAY + timedelta(days=1)
    session = api("POST", "/sessions", "supervisor", expect=201, json={
        "title": "Reporting workshop", "format": "classroom", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(), "capacity": 20, "topics": ["Reporting"],
        "trainer_ids": ["ada"], "room_id": room["id"], "equipment_ids": [equipment["id"]]}).json()

    def prepared():
        found = api("GET", f"/sessions/{session['id']}", "supervisor").json()
        return found if found["resources_reserved"] else None

    prepared_session = wait_until(prepared, message="delivery to record the reservation")
    ticked = {entry["item"]: entry["done"] for entry in prepared_session["checklist"]}
    assert (ticked["venue"], ticked["equipment"]) == (True, True)
    assert api("GET", f"/bookings/{session['id']}", "auditor", expect=200).json()["status"] == "reserved"


def test_a_material_is_reviewed_published_with_a_number_and_its_file_downloaded(platform, api):
    draft = api("POST", "/materials", "trainer", "tom", expect=201, json={
        "title": "Reporting basics", "topics": ["Reporting"], "format": "slides"}).json()
    uploaded = api("PUT", f"/materials/{draft['id']}/file?filename=slides.pdf", "trainer", "tom", expect=200,
                   data=PDF, headers={"Content-Type": "application/pdf"}).json()
    assert uploaded["file"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    refused = api("PUT", f"/materials/{draft['id']}/file?filename=notes.pdf", "trainer", "tom", expect=422,
                  data=b"not a pdf", headers={"Content-Type": "application/pdf"}).json()
    assert refused["error"]["code"] == "invalid_input"
    api("POST", f"/materials/{draft['id']}/reviews", "trainer", "tom", expect=200, json={"reviewers": ["eve"]})
    api("POST", f"/materials/{draft['id']}/reviews/decision", "specialist", "sam", expect=403,
        json={"decision": "approve"})
    api("POST", f"/materials/{draft['id']}/reviews/decision", "specialist", "eve", expect=200,
        json={"decision": "approve"})
    published = api("POST", f"/materials/{draft['id']}/publish", "specialist", "sam", expect=200,
                    json={"category": "reporting"}).json()
    assert published["number"] == f"MAT-{datetime.now(timezone.utc).year}-0001"

    download = api("GET", f"/materials/{draft['id']}/file", "auditor", expect=200)
    assert download.content == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["ETag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert api("POST", f"/materials/{draft['id']}/publish", "specialist", "sam", expect=409,
               json={}).json()["error"]["details"]["status"] == "published"

    notes = api("POST", "/materials", "trainer", "tom", expect=201, json={
        "title": "Trainer notes", "topics": ["Reporting"], "format": "handout"}).json()
    form = api("PUT", f"/materials/{notes['id']}/file", "trainer", "tom", expect=200,
               files={"file": ("notes.md", "# Notes\n".encode(), "text/markdown")}).json()
    assert (form["file"]["filename"], form["file"]["content_type"], form["file"]["size"]) == (
        "notes.md", "text/markdown", 8)


def test_roles_and_bad_input_are_refused_with_one_error_shape(platform, api):
    assert api("GET", "/trainers", "learner", expect=403).json()["error"]["code"] == "forbidden"
    api("POST", "/rooms", "trainer", expect=403, json={"name": "X", "site": "HQ", "capacity": 3})
    bad = api("POST", "/equipment", "supervisor", expect=422, json={
        "asset_tag": "has spaces", "type": "projector", "model": "X", "purchase_date": "yesterday",
        "location": "HQ"}).json()
    assert set(bad["error"]["details"]["fields"]) == {"asset_tag", "purchase_date"}
    assert api("GET", "/equipment/missing", "auditor", expect=404).json()["error"]["code"] == "not_found"
    assert api("GET", "/equipment?type=hologram", "auditor", expect=200).json() == {"total": 0, "items": []}
    assert api("GET", "/materials/loans?state=late", "auditor", expect=422).json()["error"]["details"]["fields"] == {
        "state": ["Must be one of: active, overdue, returned, all."]}


def test_the_demo_data_loads_through_the_gateway(platform, api, monkeypatch):
    demo = load_script("demo_main", REPO / "scripts/demo/__main__.py")
    resources_demo = load_script("demo_resources", REPO / "scripts/demo/resources.py")
    for module in (demo, resources_demo):  # the demo's tokens, signed with the test gateway's secret
        monkeypatch.setattr(module, "mint", lambda roles, subject: mint(roles, subject, settings=TokenSettings))
    resources_demo.load(demo.DemoClient(platform.url))

    materials = api("GET", "/materials?status=published&product=Analytics", "auditor", expect=200).json()["items"]
    assert [(material["title"], material["published_version"]) for material in materials] == [
        ("Advanced reporting: hands-on exercises", 2)]
    assert api("GET", "/materials/loans", "auditor", expect=200).json()["total"] == 1
    projector, = [item for item in api("GET", "/equipment?type=projector", "auditor", expect=200).json()["items"]
                  if item["asset_tag"] == "PRJ-0001"]
    assert [record["kind"] for record in projector["maintenance"]] == ["scheduled", "fault"]
    assert api("GET", "/equipment?status=retired", "auditor", expect=200).json()["total"] == 1
    evaluations = api("GET", "/trainers/katherine.johnson", "manager", expect=200).json()["evaluations"]
    assert [evaluation["outcome"] for evaluation in evaluations] == ["reward"]


def load_script(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
