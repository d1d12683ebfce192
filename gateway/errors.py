"""One error shape for every failure: {"error": {"code", "message", "details"}}."""
import logging

from flask import g, jsonify, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError

from shared.shell.client import OutcomeUnknown, ServiceUnavailable

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests",
    500: "internal_error", 502: "upstream_error", 503: "service_unavailable", 504: "gateway_timeout",
}


DEFAULT_MESSAGES = {
    400: "the request could not be read (is the body valid JSON?)",
    404: "no such resource",
    405: "method not allowed on this resource",
    413: "the request body is too large",
    422: "the request failed validation; see details",
}


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable, e.g. conflict."})
    message = fields.String(required=True)
    details = fields.Dict(required=True, metadata={"description": "Field messages, the current state, ..."})
    request_id = fields.String(metadata={"description": "Quote it when reporting a problem."})


class ErrorSchema(Schema):
    """Every error the gateway answers has this shape."""
    error = fields.Nested(ErrorBodySchema, required=True)


# Documented on every operation (status -> when), beside what each operation documents itself.
COMMON_ERRORS = {
    401: "Missing or invalid bearer token.",
    403: "Your role may not do this, or the object is not yours.",
    429: "Too many requests from this client on this route; see Retry-After.",
    503: "A service or the broker is down: the request was not taken.",
    504: "The request was taken but not answered in time: its outcome is unknown.",
}
PATH_ERRORS = {404: "No such resource (or one you may not know of)."}
WRITE_ERRORS = {409: "Not allowed in the resource's current state (details give it), or an "
                     "Idempotency-Key still in use.",
                413: "The body is larger than MAX_BODY_BYTES.",
                422: "The request failed validation; details give field messages."}


# Answered by the HTTP server (gunicorn) before the application sees the request, so in its own
# format: a request line over its limit (gunicorn.conf.py limit_request_line).
SERVER_ERRORS = {414: "The URL is longer than the server accepts (8190 bytes); answered as text/html."}


def document_errors(api):
    """Name every error an operation can answer, all with ErrorSchema (but the server's own)."""
    for status, description in {**COMMON_ERRORS, **PATH_ERRORS, **WRITE_ERRORS}.items():
        api.spec.components.response(f"Error{status}", {
            "description": description, "content": {"application/json": {"schema": ErrorSchema}}})
    for status, description in SERVER_ERRORS.items():
        api.spec.components.response(f"Error{status}", {"description": description,
                                                         "content": {"text/html": {"schema": {"type": "string"}}}})
    for path, operations in api.spec._paths.items():  # apispec keeps the registered paths here
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            wanted = {**COMMON_ERRORS, **SERVER_ERRORS, **(PATH_ERRORS if "{" in path else {}),
                      **(WRITE_ERRORS if method != "get" else {422: WRITE_ERRORS[422]})}
            responses = operation.setdefault("responses", {})
            for status in wanted:
                responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}


def error_response(status, message, details=None, code=None):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "details": details or {}}}
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["error"]["request_id"] = request_id
    return jsonify(body), status


# An oversize body up to this size is read and dropped before answering 413: closing a socket
# with unread data makes TCP reset the connection, and the client would never see the answer.
DISCARD_LIMIT_BYTES = 16 * 1024 * 1024


def discard_request_body():
    length = request.content_length or 0
    if 0 < length <= DISCARD_LIMIT_BYTES:
        stream = request.environ["wsgi.input"]
        while stream.read(64 * 1024):
            pass


def from_http_exception(error):
    """werkzeug/flask-smorest errors (abort, webargs validation, 404 routes, 413 bodies)."""
    if error.code == 413:
        discard_request_body()
    data = getattr(error, "data", None) or {}
    details = data.get("errors") or data.get("messages") or {}
    # webargs nests body errors under the location name; keep them as field messages.
    if "json" in details and len(details) == 1:
        details = {"fields": details["json"]}
    elif "query" in details and len(details) == 1:
        details = {"fields": details["query"]}
    message = data.get("message") or DEFAULT_MESSAGES.get(error.code) or error.description or error.name
    response, status = error_response(error.code, message, details)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response, status


def register(app):
    @app.errorhandler(DomainError)
    def domain_error(error):
        return error_response(error.http_status, error.message, error.details, error.code)

    @app.errorhandler(ServiceUnavailable)
    def unavailable(error):
        response, status = error_response(503, str(error), {"service": error.service})
        response.headers["Retry-After"] = "5"
        return response, status

    @app.errorhandler(OutcomeUnknown)
    def outcome_unknown(error):
        return error_response(504, str(error), {"service": error.service, "outcome": "unknown"}, "outcome_unknown")

    @app.errorhandler(Exception)
    def unexpected(error):
        if isinstance(error, HTTPException):
            return from_http_exception(error)
        log.exception("unhandled error")
        return error_response(500, "internal error; quote the request id when reporting it")
