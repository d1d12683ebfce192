"""Event envelope (CloudEvents 1.0, structured JSON) and the catalogue of event types.

Every event type is defined once, in shared/catalogue/<publishing service>.py, with the
marshmallow schema of its `data`. Publishing validates `data` against that schema; consuming
validates the envelope and loads `data` tolerantly (unknown fields of a newer minor are ignored).
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from shared.schemas import instance

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class InvalidEvent(ValueError):
    """An envelope or its data does not match the catalogue; retrying will not help."""


@dataclass(frozen=True)
class EventType:
    source: str  # publishing service, e.g. "planning"
    name: str  # past-tense fact, e.g. "PlanApproved"
    version: int  # major version
    schema: type  # marshmallow Schema class of `data`
    description: str

    @property
    def type(self):
        return f"{self.name}.v{self.version}"

    @property
    def exchange(self):
        return exchange_name(self.source)


CATALOGUE = {}


def exchange_name(service):
    return f"{service}.events"


def replay_exchange_name(service):
    """Where a service replays what it published into one subscriber's queue (shared.publisher)."""
    return f"{service}.replays"


def define(source, name, version, schema, description):
    """Register one event type; the catalogue modules call this once per type."""
    event_type = EventType(source, name, version, schema, description)
    if event_type.type in CATALOGUE:
        raise ValueError(f"event type {event_type.type} defined twice")
    CATALOGUE[event_type.type] = event_type
    return event_type


def lookup(type_name):
    import shared.catalogue  # noqa: F401  (fills CATALOGUE)

    try:
        return CATALOGUE[type_name]
    except KeyError:
        raise InvalidEvent(f"unknown event type {type_name!r}") from None


def utc_now():
    """Now in UTC, to the millisecond: what the store keeps, so a written value reads back equal."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def rfc3339(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other CloudEvents extension attributes are allowed and ignored

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True, validate=validate.Regexp(r"^/training/[a-z]+$"))
    type = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Za-z]+\.v[0-9]+$"))
    time = fields.String(required=True)
    subject = fields.String(required=True)
    datacontenttype = fields.String(load_default=CONTENT_TYPE)
    correlationid = fields.String(allow_none=True)
    data = fields.Dict(required=True)


def make_envelope(type_name, subject, data, correlation_id=None, moment=None):
    """Build a validated envelope; `data` is dumped through the type's schema to JSON values."""
    event_type = lookup(type_name)
    schema = event_type.schema()
    json_data = schema.dump(data)
    errors = schema.validate(json_data)
    if errors:
        raise InvalidEvent(f"{type_name} data does not match its schema: {errors}")
    envelope = {
        "specversion": SPEC_VERSION,
        "id": str(uuid.uuid4()),
        "source": f"/training/{event_type.source}",
        "type": event_type.type,
        "time": rfc3339(moment or utc_now()),
        "subject": str(subject),
        "datacontenttype": CONTENT_TYPE,
        "data": json_data,
    }
    if correlation_id:
        envelope["correlationid"] = correlation_id
    return envelope


def read_envelope(body):
    """Validate a received envelope and load its data; returns (envelope, loaded data)."""
    if not isinstance(body, dict):
        raise InvalidEvent("event body is not a JSON object")
    try:
        envelope = instance(EnvelopeSchema).load(body)
        event_type = lookup(envelope["type"])
        data = event_type.schema(unknown=EXCLUDE).load(envelope["data"])
    except ValidationError as exc:
        raise InvalidEvent(f"invalid event: {exc.messages}") from None
    return envelope, data


def event_time(envelope):
    return datetime.fromisoformat(envelope["time"].replace("Z", "+00:00"))
