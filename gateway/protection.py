"""What keeps the gateway safe to expose: rate limits per client and route (flask-limiter),
security headers on every response, and logs that never carry a bearer token.

Limits are counted per client address (behind a proxy, set TRUSTED_PROXIES so the address is
taken from X-Forwarded-For) and per route: RATE_LIMIT (default 600/minute) for every route, where
a write (POST, PUT, PATCH, DELETE) costs RATE_LIMIT_WRITE_COST (default 5) requests, so a client
writes at most 120 times a minute to one route. They are counted in
RATE_LIMIT_STORAGE_URI: `memory://` by default, per gunicorn worker (so a client's real allowance
is up to the workers' number times the limit); point it at Redis or MongoDB to share the counts
across workers and replicas.
"""
import logging
import re

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.config import setting

UNLIMITED = ("/healthz", "/readyz", "/metrics")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# The API answers JSON only; Swagger UI (under /api/docs) needs its own scripts and styles.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " \
           "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"


def protect(app):
    trusted = setting(None, "TRUSTED_PROXIES", int, default=0)
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)
    write_cost = setting(None, "RATE_LIMIT_WRITE_COST", int, default=5)
    limiter = Limiter(get_remote_address, app=app, headers_enabled=True, strategy="fixed-window",
                      storage_uri=setting(None, "RATE_LIMIT_STORAGE_URI", default="memory://"),
                      default_limits=[setting(None, "RATE_LIMIT", default="600/minute")],
                      default_limits_cost=lambda: write_cost if request.method in WRITES else 1)
    limiter.request_filter(lambda: request.path in UNLIMITED)
    app.extensions["limiter"] = limiter
    app.after_request(add_security_headers)
    return limiter


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    docs = request.path.startswith(("/api/docs", "/api/swagger-ui"))
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else API_CSP)
    if request.path.startswith("/api/v1"):
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")


class RedactTokens(logging.Filter):
    """Blanks anything that looks like a bearer token or a JWT in a log record."""

    def filter(self, record):
        message = record.getMessage()
        redacted = JWT_SHAPE.sub("[redacted token]", BEARER.sub(r"\1[redacted]", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
