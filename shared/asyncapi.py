"""The event contract as files: one JSON Schema per event type and one AsyncAPI document.

    python -m shared.asyncapi --write    # after adding an event type or a compatible change

docs/events/schemas/<Type>.vN.json are the published contracts. A change to an event's data is
accepted only if it is backward compatible with that file (fields may be added as optional;
none removed, retyped or newly required); anything else needs a new major, e.g. PlanApproved.v2,
published beside the old one. `--write` refuses to overwrite a contract incompatibly.
"""
import argparse
import json
import sys
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

import shared.catalogue  # noqa: F401  (fills CATALOGUE)
from shared.events import CATALOGUE, EnvelopeSchema

DOCS = Path(__file__).resolve().parents[1] / "docs" / "events"
SCHEMAS = DOCS / "schemas"


def _converter():
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # inline nested schemas
    APISpec("events", "1", "3.0.3", plugins=[plugin])
    return plugin.converter


def _tolerant(schema):
    """Consumers must ignore unknown fields, so the published schemas allow them."""
    if isinstance(schema, dict):
        return {key: _tolerant(value) for key, value in schema.items() if key != "additionalProperties"}
    if isinstance(schema, list):
        return [_tolerant(value) for value in schema]
    return schema


def data_schema(event_type):
    return _tolerant(_converter().schema2jsonschema(event_type.schema()))


def current_schemas():
    return {name: data_schema(event_type) for name, event_type in sorted(CATALOGUE.items())}


def asyncapi_document(schemas):
    envelope = _tolerant(_converter().schema2jsonschema(EnvelopeSchema()))
    channels, messages = {}, {}
    for name, event_type in sorted(CATALOGUE.items()):
        messages[name] = {
            "name": name,
            "title": name,
            "summary": event_type.description,
            "contentType": "application/json",
            "payload": {"allOf": [{"$ref": "#/components/schemas/CloudEventsEnvelope"},
                                  {"type": "object", "properties": {
                                      "type": {"type": "string", "enum": [name]},
                                      "source": {"type": "string", "enum": [f"/training/{event_type.source}"]},
                                      "data": schemas[name]}}]},
        }
        channels[f"{event_type.exchange}/{name}"] = {
            "description": f"Routing key {name} on the durable topic exchange {event_type.exchange}.",
            "bindings": {"amqp": {"is": "routingKey",
                                  "exchange": {"name": event_type.exchange, "type": "topic", "durable": True,
                                               "autoDelete": False, "vhost": "/"}}},
            "subscribe": {"operationId": f"on{event_type.name}V{event_type.version}",
                          "message": {"$ref": f"#/components/messages/{name}"}},
        }
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "Training platform events", "version": "1",
                 "description": "Each service publishes CloudEvents 1.0 envelopes (structured JSON, persistent, "
                                "with publisher confirms) to its own topic exchange <service>.events; the routing "
                                "key is the event type. Bind your own durable queue to receive them. A breaking "
                                "change is a new major (.v2) published beside the old one."},
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"schemas": {"CloudEventsEnvelope": envelope}, "messages": messages},
    }


def incompatibilities(published, current, path="data"):
    """Ways `current` would break a consumer written against `published` (empty if none)."""
    problems = []
    old_type, new_type = published.get("type"), current.get("type")
    if old_type != new_type:
        return [f"{path}: type changed from {old_type} to {new_type}"]
    if published.get("nullable") and not current.get("nullable"):
        problems.append(f"{path}: may no longer be null")
    old_enum, new_enum = set(published.get("enum", [])), set(current.get("enum", []))
    if old_enum and new_enum - old_enum:
        problems.append(f"{path}: new enum values {sorted(new_enum - old_enum)}")
    if old_type == "array":
        problems += incompatibilities(published.get("items", {}), current.get("items", {}), f"{path}[]")
    old_props, new_props = published.get("properties", {}), current.get("properties", {})
    for name, old_field in old_props.items():
        if name not in new_props:
            problems.append(f"{path}.{name}: removed")
        else:
            problems += incompatibilities(old_field, new_props[name], f"{path}.{name}")
    newly_required = set(current.get("required", [])) - set(published.get("required", []))
    problems += [f"{path}.{name}: newly required" for name in sorted(newly_required)]
    return problems


def published_schema(name):
    path = SCHEMAS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def dumps(document):
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def write():
    SCHEMAS.mkdir(parents=True, exist_ok=True)
    schemas = current_schemas()
    for name, schema in schemas.items():
        published = published_schema(name)
        if published is not None and (problems := incompatibilities(published, schema)):
            sys.exit(f"{name} would break its consumers ({'; '.join(problems)}): publish a new major instead")
        (SCHEMAS / f"{name}.json").write_text(dumps(schema))
    (DOCS / "asyncapi.json").write_text(dumps(asyncapi_document(schemas)))
    print(f"wrote {len(schemas)} event schemas and {DOCS / 'asyncapi.json'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the schema files and the AsyncAPI document")
    if parser.parse_args().write:
        write()
    else:
        print(dumps(asyncapi_document(current_schemas())), end="")
