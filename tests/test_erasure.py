"""Erasure everywhere: a learner with a history in every service asks to be forgotten. Afterwards
no endpoint, no event published after the erasure, and no database of any service holds their
name, email or sign-in subject (real processes, a real broker and store). The organisation stays:
it is company data the anonymous statistics keep."""
import json
import time
from datetime import datetime, timedelta, timezone

import requests
from bson import json_util

from shared.store import database_name
from shared.testing import wait_until
from tests.platform import Api

LEARNER = {"learner_id": "erin-4f9c2", "first_name": "Erinvale", "last_name": "Quistorp",
           "email": "erinvale.quistorp@example.com", "organisation": "Harbour Mills", "user_type": "customer"}
TRACES = (LEARNER["learner_id"], LEARNER["first_name"], LEARNER["last_name"], LEARNER["email"])


def stored_text(platform, mongo_client):
    """Everything every service keeps, as text (the kit's ledger of applied event ids included)."""
    texts = {}
    for name, process in platform.processes.items():
        db = mongo_client[database_name(process.env["MONGO_URI"], name)]
        texts[name] = " ".join(json_util.dumps(doc) for collection in db.list_collection_names()
                               if not collection.startswith("fs.") for doc in db[collection].find())
    return texts


def test_after_erasure_no_service_holds_the_learners_name_email_or_subject(platform, mongo_client, subscriber):
    api = Api(platform, expect=(200, 201))
    learner = LEARNER["learner_id"]
    api("POST", "/learners", "specialist", "sam", json=LEARNER)

    # A history: enrolled, present, a session completed (assessment, feedback, resources and the
    # archive all react), a named survey answered.
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
    session = api("POST", "/sessions", "supervisor", "sue", json={
        "title": "Erasure drill", "format": "online", "capacity": 5, "trainer_ids": ["tom"],
        "online_url": "https://meet.example.com/drill", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat()})
    url = f"/sessions/{session['id']}"
    api("POST", f"{url}/enrolments", "learner", learner, json={})
    api("POST", f"{url}/ready", "supervisor", "sue", json={"override_reason": "drill"})
    api("POST", f"{url}/start", "trainer", "tom")
    api("POST", f"{url}/attendance", "trainer", "tom", json={"records": [{"learner_id": learner, "status": "present"}]})
    api("POST", f"{url}/complete", "trainer", "tom")
    survey = wait_until(lambda: api("GET", f"/surveys?session_id={session['id']}&kind=reaction", "supervisor")["items"],
                        30, message="feedback to open the session's survey")[0]
    form = api("GET", f"/surveys/{survey['id']}", "learner", learner)
    scores = {"likert": 4, "rating": 8}
    answers = {item["key"]: scores[item["type"]] for section in form["questionnaire"]["sections"]
               for item in section["items"] if item["type"] in scores}
    api("POST", f"/surveys/{survey['id']}/responses", "learner", learner, json={"answers": answers})
    wait_until(lambda: all(learner in text for name, text in stored_text(platform, mongo_client).items()
                           if name in ("delivery", "feedback", "archive")), 30, message="the history to be recorded")

    events = subscriber(platform.amqp_uri, "archive")
    api("POST", f"/learners/{learner}/erasure", "supervisor", "sue", json={"reason": "request #17"})
    erased = events.wait_for("LearnerErased.v1")
    assert erased["data"]["learner_id"] == learner  # the one message that must name them, once

    def forgotten():
        texts = stored_text(platform, mongo_client)
        return {name: [trace for trace in TRACES if trace in text] for name, text in texts.items()}

    deadline, remaining = time.monotonic() + 60, forgotten()
    while any(remaining.values()) and time.monotonic() < deadline:  # each service honours the event in its time
        time.sleep(1)
        remaining = forgotten()
    assert remaining == {name: [] for name in platform.processes}

    # No endpoint answers anything about them.
    for path in (f"/learners/{learner}/overview", "/archive/search?limit=100", f"{url}/enrolments",
                 f"{url}/attendance", f"/surveys/{survey['id']}/responses?limit=100", "/audit?limit=100"):
        role = "auditor" if path.startswith("/audit") else "supervisor"
        answer = requests.get(f"{platform.url}/api/v1{path}", headers=platform.auth(role, "sue"), timeout=20)
        assert not any(trace in answer.text for trace in TRACES), f"{path} still names the learner"
    # And what the services published after the erasure names them nowhere.
    later = events.collect(3.0)
    assert not any(trace in json.dumps(envelope) for envelope in later for trace in TRACES)
