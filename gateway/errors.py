"""One error shape for every failure: {"error": {"code", "message", "details"}}."""
import logging

from flask import g, jsonify, request
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
