"""The gateway: REST API for department staff and integrations (Flask + flask-smorest).

It owns no business data: each view authenticates, validates, calls a service over RPC and
reshapes the answer. Blueprints are discovered from gateway/resources/ (one module per resource).
"""
import importlib
import logging
import pkgutil
import time
import uuid
from pathlib import Path

from flask import Flask, g, request, send_from_directory
from flask_smorest import Api
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser
from kombu import Connection

from shared import logs, metrics

from shared.identity import IdentitySigner
from shared.shell.client import RpcPool

from gateway import errors, resources
from gateway.auth import TokenVerifier
from gateway.idempotency import HEADER as IDEMPOTENCY_HEADER, IdempotencyStore
from gateway.protection import protect
from gateway.settings import Settings

log = logging.getLogger(__name__)

LOCAL_ASSETS_URL = "/api/swagger-ui/"


# Unknown query parameters are refused like unknown body fields (422), as the document says: a
# misspelt filter must not quietly return everything. (The parser every blueprint shares.)
ArgumentsMixin.ARGUMENTS_PARSER.DEFAULT_UNKNOWN_BY_LOCATION = dict(
    FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, query=RAISE, querystring=RAISE)


class PlatformApi(Api):
    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):
        return errors.from_http_exception(error)


class MisconfiguredGateway(SystemExit):
    """The gateway refuses to start (it fails closed) and says why."""


def create_app(settings=None):
    settings = settings or Settings()
    if settings.problems():
        raise MisconfiguredGateway("the gateway will not start: " + "; ".join(settings.problems()))
    app = Flask(__name__, static_folder=None)  # it serves no files of its own but Swagger UI's
    app.config.update(
        API_TITLE="Training platform API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=LOCAL_ASSETS_URL if Path(settings.swagger_ui_dir).is_dir() else settings.swagger_ui_url,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}}},
            "security": [{"bearerAuth": []}],
            "info": {"description": "Plans, sessions, exams, feedback, resources and learner "
                                    "archives of the user-training department. Errors have the "
                                    "shape {\"error\": {\"code\", \"message\", \"details\"}}."},
        },
    )
    app.extensions["settings"] = settings
    app.extensions["rpc"] = RpcPool(settings.amqp_uri, settings.rpc_timeout_seconds, settings.rpc_pool_size)
    app.extensions["token_verifier"] = TokenVerifier(settings)
    app.extensions["identity_signer"] = IdentitySigner(settings.identity_signing_key)
    app.extensions["idempotency"] = IdempotencyStore(settings.mongo_uri)

    api = PlatformApi(app)
    for module in pkgutil.iter_modules(resources.__path__):
        api.register_blueprint(importlib.import_module(f"{resources.__name__}.{module.name}").blp,
                               url_prefix="/api/v1")
    document_idempotency_key(api)
    errors.document_errors(api)
    protect(app)
    errors.register(app)
    register_observability(app)
    register_ops(app, settings)
    return app


def document_idempotency_key(api):
    """Every POST honours Idempotency-Key (gateway.idempotency); say so on each of them."""
    api.spec.components.parameter(IDEMPOTENCY_HEADER.replace("-", ""), "header", {
        "name": IDEMPOTENCY_HEADER, "required": False, "schema": {"type": "string", "maxLength": 200},
        "description": "Retrying with the same key and body answers the first result and writes nothing "
                       "again (Idempotent-Replayed: true); the same key with another body is 422."})
    for operations in api.spec._paths.values():  # apispec keeps the registered paths here
        if "post" in operations:
            operations["post"].setdefault("parameters", []).append(
                {"$ref": f"#/components/parameters/{IDEMPOTENCY_HEADER.replace('-', '')}"})


def register_observability(app):
    @app.before_request
    def start_request():
        g.started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
        logs.correlation_id.set(g.request_id)

    @app.after_request
    def finish_request(response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        metrics.HTTP_DURATION.labels(request.method, route).observe(
            time.perf_counter() - g.get("started", time.perf_counter()))
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response


def register_ops(app, settings):
    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        try:
            with Connection(settings.amqp_uri, connect_timeout=2) as connection:
                connection.ensure_connection(max_retries=1)
        except Exception as exc:
            return {"status": "unready", "problems": {"broker": repr(exc)}}, 503
        return {"status": "ready", "problems": {}}

    @app.get(f"{LOCAL_ASSETS_URL}<path:filename>")
    def swagger_ui_assets(filename):
        return send_from_directory(settings.swagger_ui_dir, filename)

    @app.get("/metrics")
    def prometheus_metrics():
        body, content_type = metrics.exposition()
        return body, 200, {"Content-Type": content_type}
