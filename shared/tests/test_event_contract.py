"""The event contract: every event type has a published schema, code stays backward compatible
with it, and the AsyncAPI document describes the code as it is."""
import json

import pytest

from shared.asyncapi import DOCS, asyncapi_document, current_schemas, dumps, incompatibilities, published_schema

CURRENT = current_schemas()


@pytest.mark.parametrize("event_type", sorted(CURRENT))
def test_event_data_stays_compatible_with_its_published_schema(event_type):
    published = published_schema(event_type)
    assert published is not None, f"no docs/events/schemas/{event_type}.json: run python -m shared.asyncapi --write"
    assert incompatibilities(published, CURRENT[event_type]) == []


def test_asyncapi_document_matches_the_catalogue():
    committed = (DOCS / "asyncapi.json").read_text()
    assert committed == dumps(asyncapi_document(CURRENT)), "run python -m shared.asyncapi --write"
    assert set(json.loads(committed)["components"]["messages"]) == set(CURRENT)


OLD = {"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"}, "score": {"type": "integer", "nullable": True},
    "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}}}


@pytest.mark.parametrize("change, problem", [
    (lambda s: s["properties"].pop("score"), "data.score: removed"),
    (lambda s: s["properties"]["score"].update(type="string"), "data.score: type changed from integer to string"),
    (lambda s: s["required"].append("score"), "data.score: newly required"),
    (lambda s: s["properties"]["score"].pop("nullable"), "data.score: may no longer be null"),
    (lambda s: s["properties"]["tags"]["items"]["enum"].append("c"), "data.tags[]: new enum values ['c']"),
])
def test_breaking_changes_are_detected(change, problem):
    new = json.loads(json.dumps(OLD))
    change(new)
    assert incompatibilities(OLD, new) == [problem]


def test_adding_an_optional_field_is_compatible():
    new = json.loads(json.dumps(OLD))
    new["properties"]["comment"] = {"type": "string"}
    assert incompatibilities(OLD, new) == []
