"""Prometheus metrics shared by every process (DESIGN.md §3.4). No learner ids in labels."""
import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               ProcessCollector, generate_latest, multiprocess, REGISTRY)

# Outcomes of an entrypoint call that raised: an expected domain error (shared.errors.DomainError:
# the caller's mistake or a conflict, answered 4xx) or a failure (anything else: a bug, a store
# or broker outage). Error-rate alerts count failures only.
EXPECTED, FAILURE = "expected", "failure"

ENTRYPOINT_REQUESTS = Counter(
    "training_entrypoint_requests_total", "Entrypoint calls (RPC, event handler, timer, HTTP).",
    ["service", "entrypoint", "kind"])
ENTRYPOINT_ERRORS = Counter(
    "training_entrypoint_errors_total",
    "Entrypoint calls that raised, by error class and outcome (expected: a domain error answered 4xx; "
    "failure: anything else).",
    ["service", "entrypoint", "kind", "error", "outcome"])
ENTRYPOINT_DURATION = Histogram(
    "training_entrypoint_duration_seconds", "Entrypoint call duration.",
    ["service", "entrypoint", "kind"])

EVENTS_PUBLISHED = Counter(
    "training_events_published_total", "Events confirmed by the broker.", ["service", "event_type"])
EVENTS_CONSUMED = Counter(
    "training_events_consumed_total",
    "Events received by handlers, by publishing service and outcome (applied, duplicate, retried, parked).",
    ["service", "source", "handler", "event_type", "outcome"])
EVENT_DELIVERY_LAG = Histogram(
    "training_event_delivery_lag_seconds", "Handled time minus event time.",
    ["service", "event_type"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
OUTBOX_BACKLOG = Gauge(
    "training_outbox_backlog_events", "Events written but not yet confirmed by the broker.",
    ["service"], multiprocess_mode="livesum")
DEAD_LETTERS = Gauge(
    "training_dead_letters", "Events parked in the dead-letter store, waiting for a redrive.",
    ["service"], multiprocess_mode="livesum")

HTTP_REQUESTS = Counter(
    "training_http_requests_total", "Gateway HTTP requests.", ["method", "route", "status"])
HTTP_DURATION = Histogram(
    "training_http_request_duration_seconds", "Gateway HTTP request duration.", ["method", "route"])


class ServerStartTime:
    """`process_start_time_seconds` in multiprocess mode, where prometheus_client exports no
    process metrics: the start of the process whose workers share the multiprocess directory
    (gunicorn's master, each worker's parent), i.e. of the gateway as a whole. A worker that
    gunicorn replaces does not reset it; a restarted container does."""

    def collect(self):
        for family in ProcessCollector(pid=os.getppid, registry=None).collect():
            if family.name == "process_start_time_seconds":
                yield family


def exposition():
    """(body, content type) of the current metrics; merges gunicorn workers when multiprocess."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(ServerStartTime())
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
