"""Errors a service raises on purpose; the gateway maps each to one HTTP status.

Plain exceptions, so domain code stays free of nameko; shared.remote registers them with
nameko so an RPC caller gets the same class back (with message and details).
"""
import json

from marshmallow import ValidationError

from shared.schemas import instance


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message, details=None):
        # Across nameko RPC the arguments travel as strings; JSON keeps the details' types.
        details = json.loads(details) if isinstance(details, str) else (details or {})
        super().__init__(message, json.dumps(details, default=str))
        self.message = message
        self.details = details

    def __str__(self):
        return self.message


class InvalidInput(DomainError):
    """Input failed validation; details hold the field messages."""
    code = "invalid_input"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The request is legal but not in the resource's current state (details say which)."""
    code = "conflict"
    http_status = 409


class Unauthenticated(DomainError):
    """The call carries no valid caller identity."""
    code = "unauthenticated"
    http_status = 401


class Forbidden(DomainError):
    """The caller's role is fine but this object or action is not theirs."""
    code = "forbidden"
    http_status = 403


def validated(schema, payload, **kwargs):
    """Load `payload` with a marshmallow schema (a class or an instance), raising InvalidInput
    with field messages."""
    if isinstance(schema, type):
        schema = instance(schema)
    try:
        return schema.load(payload, **kwargs)
    except ValidationError as exc:
        raise InvalidInput("invalid input", {"fields": exc.messages}) from None
