"""The event contract: every event type has a published JSON Schema 2020-12 file that standard
validators accept, code stays backward compatible with it, and the AsyncAPI 3.0 document
describes the code as it is and is valid against the AsyncAPI specification's own schema."""
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from shared.asyncapi import DOCS, DIALECT, asyncapi_document, current_schemas, dumps, incompatibilities, published_schema
from shared.events import make_envelope

CURRENT = current_schemas()
ASYNCAPI_SPEC = Path(__file__).resolve().parents[2] / "var" / "asyncapi-specs" / "schemas" / "3.0.0-without-$id.json"


@pytest.mark.parametrize("event_type", sorted(CURRENT))
def test_event_data_stays_compatible_with_its_published_schema(event_type):
    published = published_schema(event_type)
    assert published is not None, f"no docs/events/schemas/{event_type}.json: run python -m shared.asyncapi --write"
    assert published == CURRENT[event_type], "run python -m shared.asyncapi --write"


@pytest.mark.parametrize("event_type", sorted(CURRENT))
def test_published_schemas_are_json_schema_2020_12(event_type):
    schema = published_schema(event_type)
    assert schema["$schema"] == DIALECT
    assert schema["$id"].endswith(event_type)
    Draft202012Validator.check_schema(schema)
    assert "nullable" not in json.dumps(schema)  # OpenAPI's keyword, which JSON Schema ignores


def test_events_with_null_values_validate_against_their_own_schema():
    """NeedRecorded.v1 and SessionScheduled.v1 once failed their own published schema."""
    need = make_envelope("NeedRecorded.v1", "need-1", {
        "need_id": "need-1", "topic": "Exports", "product": None, "audience": {"user_type": None, "industry": None,
                                                                               "level": None},
        "tier": "basic_operation", "flags": [], "urgency": "low", "source": "sales", "requesters": 1, "merged": False})
    session = make_envelope("SessionScheduled.v1", "session-1", {
        "session_id": "session-1", "plan_id": None, "item_id": None, "title": "Basics", "format": "online",
        "starts_at": datetime(2026, 3, 2, 9, tzinfo=timezone.utc), "ends_at": datetime(2026, 3, 2, 12, tzinfo=timezone.utc),
        "venue": None, "capacity": 20})
    expiring = make_envelope("CertificateExpiring.v1", "cert-1", {
        "certificate_id": "cert-1", "learner_id": "ada", "topic": "Safety", "expires_at": date(2027, 1, 1)})
    for envelope in (need, session, expiring):
        errors = list(Draft202012Validator(published_schema(envelope["type"]),
                                           format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(envelope["data"]))
        assert errors == [], f"{envelope['type']}: {[error.message for error in errors]}"


def test_asyncapi_document_matches_the_catalogue_and_the_specification():
    committed = (DOCS / "asyncapi.json").read_text()
    assert committed == dumps(asyncapi_document()), "run python -m shared.asyncapi --write"
    document = json.loads(committed)
    assert {message["name"] for message in document["components"]["messages"].values()} == set(CURRENT)
    errors = sorted(Draft7Validator(json.loads(ASYNCAPI_SPEC.read_text())).iter_errors(document), key=str)
    assert errors == [], [error.message for error in errors[:5]]
    for message in document["components"]["messages"].values():
        reference = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
        assert (DOCS / reference).is_file()


OLD = {"type": "object", "required": ["id", "note"], "properties": {
    "id": {"type": "string"}, "score": {"type": ["integer", "null"]}, "note": {"type": "string"},
    "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}}}


@pytest.mark.parametrize("change, problem", [
    (lambda s: s["properties"].pop("score"), "data.score: removed"),
    (lambda s: s["properties"]["score"].update(type="string"), "data.score: type changed from ['integer', 'null'] "
                                                               "to string"),
    (lambda s: s["required"].append("score"), "data.score: newly required"),
    (lambda s: s["required"].remove("note"), "data.note: no longer required"),
    (lambda s: s["properties"]["note"].update(type=["string", "null"]), "data.note: type changed from string to "
                                                                         "['string', 'null']"),
    (lambda s: s["properties"]["tags"]["items"]["enum"].append("c"), "data.tags[]: new enum values [\"'c'\"]"),
])
def test_breaking_changes_are_detected(change, problem):
    new = json.loads(json.dumps(OLD))
    change(new)
    assert incompatibilities(OLD, new) == [problem]


def test_adding_an_optional_field_is_compatible():
    new = json.loads(json.dumps(OLD))
    new["properties"]["comment"] = {"type": ["string", "null"]}
    assert incompatibilities(OLD, new) == []
