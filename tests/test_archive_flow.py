"""End to end through the gateway, with the archive as a real process: learners registered in
bulk, their archives built from delivery's and assessment's events, read by role and relation
(and audited), searched, analysed, exported as CSV, PDF and xAPI, and erased."""
import importlib.util

from shared.publisher import EventPublisher
from shared.testing import REPO, wait_until
from tests.platform import Api, JWT_SECRET

from services.archive.tests.events import DAY, HOUR, T0, completed, enrolled, graded

PLATFORM_SERVICES = ("archive",)
CSV = ("learner_id,first_name,last_name,email,organisation,department,user_type,industry\n"
       "ada.l,Ada,Lovelace,ada@example.com,Engines Ltd,Analytics,customer,manufacturing\n"
       "grace.h,Grace,Hopper,grace@example.com,Cobol Retail,IT,partner,retail\n")


def publish(platform, source, *envelopes):
    publisher = EventPublisher(platform.amqp_uri, source)
    try:
        for envelope in envelopes:
            publisher.publish(envelope)
    finally:
        publisher.close()


def test_archive_from_registration_to_erasure(platform, subscriber):
    api = Api(platform, raw=True)
    events = subscriber(platform.amqp_uri, "archive")

    # Registration: a bad file registers nobody; a good one everyone.
    refused = api("POST", "/learners/import", "specialist", expect=422, data=CSV + "x,X,Y,bad,Org,,alien,\n",
                  headers={"Content-Type": "text/csv"}).json()
    assert set(refused["error"]["details"]["rows"]["4"]) == {"email", "user_type"}
    imported = api("POST", "/learners/import", "specialist", expect=201, data=CSV,
                   headers={"Content-Type": "text/csv"}).json()
    assert imported["learner_ids"] == ["ada.l", "grace.h"]
    api("PATCH", "/learners/ada.l", "supervisor", json={"changes": {"phone": "+44 20 7946 0001"},
                                                        "reason": "phoned in"})

    # The archive follows delivery's and assessment's events.
    publish(platform, "delivery", enrolled("ada.l", "s-1", T0 - 9 * DAY), enrolled("grace.h", "s-1", T0 - 9 * DAY),
            completed("s-1", [("ada.l", "present"), ("grace.h", "absent")], T0 + 3 * HOUR))
    publish(platform, "assessment", graded("ada.l", "s-1", 88.0, T0 + DAY))

    def archive_complete():
        found = api("GET", "/learners/ada.l/archive", "learner", "ada.l").json()
        return found if found["summary"]["passed"] == 1 and found["summary"]["sessions_completed"] == 1 else None

    archive = wait_until(archive_complete, 30, 0.3, "Ada's archive to show her session and result")
    assert archive["learner"]["phone"] == "+44 20 7946 0001" and archive["records"][0]["trainer_ids"] == ["tom", "tia"]

    # Access by role and relation; guessed ids answer 403, never 404.
    api("GET", "/learners/ada.l/archive", "learner", "grace.h", expect=403)
    api("GET", "/learners/nobody/archive", "learner", "grace.h", expect=403)
    api("GET", "/learners/ada.l/archive", "trainer", "tom")
    api("GET", "/learners/ada.l/archive", "trainer", "tina", expect=403)
    api("GET", "/learners/ada.l/archive", "manager", expect=403)
    api("GET", "/learners", "learner", "ada.l", expect=403)

    # Exports.
    pdf = api("GET", "/learners/ada.l/transcript", "learner", "ada.l")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    csv = api("GET", "/learners/ada.l/export/csv", "supervisor", params={"reason": "customer asked"})
    assert csv.headers["Content-Type"].startswith("text/csv") and "Reports workshop" in csv.text
    assert "filename=" in csv.headers["Content-Disposition"]
    statements = api("GET", "/learners/ada.l/export/xapi", "learner", "ada.l").json()["statements"]
    assert {each["verb"]["display"]["en-US"] for each in statements} == {"registered", "attended", "completed",
                                                                          "passed"}
    mine = api("GET", "/learners/ada.l/export", "learner", "ada.l").json()
    assert mine["learner"]["email"] == "ada@example.com" and mine["audit"]

    # Retrieval and analytics.
    found = api("GET", "/archive/search", "auditor", params={"classify_by": "attendance", "course": "reports"}).json()
    assert found["total"] == 2
    assert found["classes"] == [{"value": "absent", "count": 1}, {"value": "present", "count": 1}]
    api("GET", "/archive/search", "learner", "ada.l", expect=403)
    api("GET", "/archive/search", "supervisor", params={"result": "maybe"}, expect=422)
    totals = api("GET", "/archive/analytics", "manager").json()["totals"]
    assert (totals["completion_rate"], totals["pass_rate"], totals["training_hours"]) == (0.5, 1.0, 3.0)

    # Every read was audited; auditors query the log.
    reads = api("GET", "/audit", "auditor", params={"learner_id": "ada.l", "limit": 100}).json()["items"]
    assert {(entry["actor_id"], entry["action"]) for entry in reads} >= {
        ("ada.l", "read_archive"), ("tom", "read_archive"), ("supervisor-user", "export"), ("ada.l", "transcript")}
    api("GET", "/audit", "supervisor", expect=403)

    # Erasure: published, and nothing the archive answers names Ada any more.
    receipt = api("POST", "/learners/ada.l/erasure", "supervisor", json={"reason": "request 17"}).json()
    assert events.wait_for("LearnerErased.v1")["data"]["learner_id"] == "ada.l"
    api("POST", "/learners/ada.l/erasure", "supervisor", json={"reason": "again"}, expect=409)
    api("GET", "/learners/ada.l/archive", "supervisor", expect=404)
    answers = " ".join(api("GET", path, role).text for path, role in (
        ("/archive/search?limit=100", "supervisor"), ("/learners?limit=100", "supervisor"),
        ("/audit?limit=100", "auditor"), ("/archive/analytics", "supervisor"), ("/archive/xapi?limit=100", "auditor")))
    for trace in ("ada.l", "Ada", "Lovelace", "ada@example.com"):
        assert trace not in answers
    assert receipt["pseudonym"] in answers


def test_demo_learners_register_in_one_import(platform, monkeypatch):
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    client = demo_module("__main__").DemoClient(platform.url)

    demo_module("archive").load(client)

    assert len(client.shared["learner_ids"]) == 300
    assert client.shared["learners"][0]["subject"] == "ada.lovelace"
    registry = Api(platform, raw=True)("GET", "/learners", "auditor", params={"user_type": "internal", "limit": 1}).json()
    assert registry["total"] == 42 and registry["items"][0]["organisation"] == "Our Company"


def demo_module(name):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", REPO / "scripts" / "demo" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
