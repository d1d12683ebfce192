"""The event contract as files: one JSON Schema (2020-12) per event type and one AsyncAPI 3.0 document.

    python -m shared.asyncapi --write    # after adding an event type or a compatible change

docs/events/schemas/<Type>.vN.json are the published contracts of each type's `data`: standard
JSON Schema 2020-12, so any validator checks a real event against them (an optional value is
typed ["string", "null"]). A change to an event's data is accepted only if it is backward
compatible with that file (fields may be added as optional; none removed, retyped, made optional
or newly required); anything else needs a new major, e.g. PlanApproved.v2, published beside the
old one. `--write` refuses to overwrite a contract incompatibly. docs/events/asyncapi.json
describes every exchange, routing key and envelope, and points at the schema files.
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
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_id(type_name):
    return f"urn:training-platform:events:{type_name}"


def _converter():
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # inline nested schemas
    APISpec("events", "1", "3.0.3", plugins=[plugin])
    return plugin.converter


def json_schema(node):
    """apispec's OpenAPI 3.0 schema as plain JSON Schema: `nullable` becomes a "null" type, and
    objects stay open (consumers must ignore fields a newer minor adds)."""
    if isinstance(node, list):
        return [json_schema(value) for value in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items()
                 if key != "nullable" and not (key == "additionalProperties" and value is False)}
    if node.get("nullable") and "type" in node:
        converted["type"] = [node["type"], "null"] if isinstance(node["type"], str) else [*node["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    return converted


def data_schema(event_type):
    schema = json_schema(_converter().schema2jsonschema(event_type.schema()))
    return {"$schema": DIALECT, "$id": schema_id(event_type.type), "title": f"{event_type.type} data",
            "description": event_type.description, **schema}


def current_schemas():
    return {name: data_schema(event_type) for name, event_type in sorted(CATALOGUE.items())}


def asyncapi_document():
    envelope = json_schema(_converter().schema2jsonschema(EnvelopeSchema()))
    channels, operations, messages = {}, {}, {}
    for name, event_type in sorted(CATALOGUE.items()):
        key = name.replace(".", "_")
        messages[key] = {
            "name": name,
            "title": name,
            "summary": event_type.description,
            "contentType": "application/json",
            "payload": {"allOf": [{"$ref": "#/components/schemas/CloudEventsEnvelope"},
                                  {"type": "object", "properties": {
                                      "type": {"type": "string", "const": name},
                                      "source": {"type": "string", "const": f"/training/{event_type.source}"},
                                      "data": {"$ref": f"schemas/{name}.json"}}}]},
        }
        channels[key] = {
            "address": name,
            "title": f"{name} on {event_type.exchange}",
            "description": f"Routing key {name} on the durable topic exchange {event_type.exchange}.",
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "bindings": {"amqp": {"is": "routingKey", "bindingVersion": "0.3.0",
                                  "exchange": {"name": event_type.exchange, "type": "topic", "durable": True,
                                               "autoDelete": False, "vhost": "/"}}},
        }
        operations[f"receive{event_type.name}V{event_type.version}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            "summary": f"Bind a durable queue of your own to {event_type.exchange} with routing key {name}.",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Training platform events", "version": "1",
                 "description": "Each service publishes CloudEvents 1.0 envelopes (structured JSON, persistent, "
                                "with publisher confirms) to its own topic exchange <service>.events; the routing "
                                "key is the event type. Bind your own durable queue to receive them and "
                                "deduplicate by envelope id: delivery is at least once. Each event's `data` is "
                                "described by a JSON Schema 2020-12 file in schemas/. A breaking change is a new "
                                "major (.v2) published beside the old one."},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"CloudEventsEnvelope": envelope}, "messages": messages},
    }


def types_of(schema):
    declared = schema.get("type")
    return set(declared) if isinstance(declared, list) else {declared}


def incompatibilities(published, current, path="data"):
    """Ways `current` would break a consumer written against `published` (empty if none)."""
    if types_of(published) != types_of(current):
        return [f"{path}: type changed from {published.get('type')} to {current.get('type')}"]
    problems = []
    old_enum, new_enum = published.get("enum"), current.get("enum")
    if old_enum is not None and (new_enum is None or set(map(repr, new_enum)) - set(map(repr, old_enum))):
        problems.append(f"{path}: new enum values {sorted(set(map(repr, new_enum or [])) - set(map(repr, old_enum)))}")
    if "array" in types_of(published):
        problems += incompatibilities(published.get("items", {}), current.get("items", {}), f"{path}[]")
    old_props, new_props = published.get("properties", {}), current.get("properties", {})
    for name, old_field in old_props.items():
        if name not in new_props:
            problems.append(f"{path}.{name}: removed")
        else:
            problems += incompatibilities(old_field, new_props[name], f"{path}.{name}")
    old_required, new_required = set(published.get("required", [])), set(current.get("required", []))
    problems += [f"{path}.{name}: newly required" for name in sorted(new_required - old_required)]
    problems += [f"{path}.{name}: no longer required" for name in sorted(old_required - new_required)]
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
    (DOCS / "asyncapi.json").write_text(dumps(asyncapi_document()))
    print(f"wrote {len(schemas)} event schemas and {DOCS / 'asyncapi.json'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the schema files and the AsyncAPI document")
    if parser.parse_args().write:
        write()
    else:
        print(dumps(asyncapi_document()), end="")
