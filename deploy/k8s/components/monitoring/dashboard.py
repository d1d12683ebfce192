"""Writes grafana-dashboard.json, the platform's Grafana dashboard, from this description.

    python deploy/k8s/components/monitoring/dashboard.py

Edit this file rather than the JSON (tests/test_monitoring.py checks that the JSON is what this
writes). One row per app (rate, errors, duration), then events (flow between services, lag,
outbox, dead letters) and the broker's queues. Every panel queries the data source chosen in
the `datasource` variable; nothing names a data source of its own.
"""
import json
from pathlib import Path

SERVICES = ["planning", "delivery", "assessment", "feedback", "resources", "archive", "webhooks"]
APPS = ["gateway", *SERVICES]
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
NS = 'namespace="$namespace"'
PLATFORM_QUEUES = NS + r', queue=~"evt-.+|rpc-.+|.+\\.dead-letters|unrouted"'
OPS_ROUTES = 'route!~"/metrics|/healthz|/readyz"'


class Layout:
    """Places panels left to right, 24 grid units a line, and numbers them."""

    def __init__(self):
        self.panels, self.x, self.y = [], 0, 0

    def row(self, title):
        self.newline()
        self.add({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)

    def add(self, panel, width=8, height=8):
        if self.x + width > 24:
            self.newline()
        panel = {"id": len(self.panels) + 1, **panel,
                 "gridPos": {"x": self.x, "y": self.y, "w": width, "h": height}}
        self.panels.append(panel)
        self.x += width
        self.line_height = max(getattr(self, "line_height", 0), height)
        return panel

    def newline(self):
        if self.x:
            self.y += self.line_height
        self.x, self.line_height = 0, 0


def timeseries(title, targets, unit="short", description=""):
    return {
        "type": "timeseries", "title": title, "description": description, "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom"},
                    "tooltip": {"mode": "multi"}},
        "targets": [{"datasource": DATASOURCE, "expr": expr, "legendFormat": legend,
                     "refId": chr(ord("A") + i)} for i, (expr, legend) in enumerate(targets)],
    }


def stat(title, expr, legend, unit="short", description=""):
    panel = timeseries(title, [(expr, legend)], unit, description)
    panel["type"] = "stat"
    panel["options"] = {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background"}
    return panel


def build():
    layout = Layout()
    layout.row("Overview")
    apps = "|".join(APPS)
    layout.add(stat("Replicas up", f'sum by (job) (up{{{NS}, job=~"{apps}"}})', "{{job}}",
                    description="Replicas answering Prometheus' scrapes, by app."), 16, 4)
    layout.add(stat("Youngest replica's uptime", f'min by (job) (time() - process_start_time_seconds{{{NS}, job=~"{apps}"}})',
                    "{{job}}", "s", "Time since the most recent (re)start of a replica, by app."), 8, 4)

    layout.row("gateway")
    layout.add(timeseries("Requests by route", [
        (f"sum by (route) (rate(training_http_requests_total{{{NS}, {OPS_ROUTES}}}[$__rate_interval]))",
         "{{route}}")], "reqps"))
    layout.add(timeseries("5xx answers by route", [
        (f'sum by (route, status) (rate(training_http_requests_total{{{NS}, {OPS_ROUTES}, status=~"5.."}}'
         f"[$__rate_interval]))", "{{route}} {{status}}")], "reqps",
        "503: a service is down; 504: an RPC timed out."))
    layout.add(timeseries("Duration (p50, p99)", [
        (f"histogram_quantile({q}, sum by (le) (rate(training_http_request_duration_seconds_bucket"
         f"{{{NS}, {OPS_ROUTES}}}[$__rate_interval])))", f"p{int(q * 100)}") for q in (0.5, 0.99)], "s",
        "Objective: p99 under 1 s (alert TrainingGatewayLatencyHigh)."))

    for service in SERVICES:
        selector = f'{NS}, service="{service}"'
        layout.row(service)
        layout.add(timeseries("Calls by entrypoint", [
            (f"sum by (entrypoint, kind) (rate(training_entrypoint_requests_total{{{selector}}}"
             f"[$__rate_interval]))", "{{entrypoint}} ({{kind}})")], "ops"))
        layout.add(timeseries("Errors by entrypoint", [
            (f'sum by (entrypoint, error) (rate(training_entrypoint_errors_total{{{selector}, outcome="{outcome}"}}'
             f"[$__rate_interval]))", "{{entrypoint}}: {{error}}" + suffix)
            for outcome, suffix in (("failure", ""), ("expected", " (expected)"))], "ops",
            "Failures (bugs, outages) apart from expected domain errors (InvalidInput, NotFound, Conflict, "
            "Forbidden...), which are answers to the caller. The error-rate alert counts failures only."))
        layout.add(timeseries("Duration p99 by entrypoint", [
            (f"histogram_quantile(0.99, sum by (entrypoint, le) (rate("
             f"training_entrypoint_duration_seconds_bucket{{{selector}}}[$__rate_interval])))",
             "{{entrypoint}}")], "s"))

    layout.row("Events")
    layout.add(timeseries("Event flow: source → consumer", [
        (f'sum by (source, service, event_type) (rate(training_events_consumed_total{{{NS}, outcome="applied"}}'
         f"[$__rate_interval]))", "{{source}} → {{service}}: {{event_type}}")], "ops",
        "Events applied by each consumer, by the service that published them."), 12)
    layout.add(timeseries("Events published", [
        (f"sum by (service, event_type) (rate(training_events_published_total{{{NS}}}[$__rate_interval]))",
         "{{service}}: {{event_type}}")], "ops"), 12)
    layout.add(timeseries("Events consumed by outcome", [
        (f"sum by (service, outcome) (rate(training_events_consumed_total{{{NS}}}[$__rate_interval]))",
         "{{service}}: {{outcome}}")], "ops",
        "applied, duplicate (already applied), retried, parked (in the dead-letter store)."))
    layout.add(timeseries("Delivery lag p99", [
        (f"histogram_quantile(0.99, sum by (service, event_type, le) (rate("
         f"training_event_delivery_lag_seconds_bucket{{{NS}}}[$__rate_interval])))",
         "{{service}}: {{event_type}}")], "s",
        "Handled time minus event time. Objective: under 60 s (alert TrainingEventDeliveryLag)."))
    layout.add(timeseries("Outbox backlog", [
        (f"max by (service) (training_outbox_backlog_events{{{NS}}})", "{{service}}")], "short",
        "Events written but not yet confirmed by the broker."))
    layout.add(timeseries("Dead letters", [
        (f"max by (service) (training_dead_letters{{{NS}}})", "{{service}}")], "short",
        "Parked events waiting for a redrive (GET /api/v1/dead-letters/<service>)."), 12)
    layout.add(timeseries("Unrouted events", [
        (f'max by (vhost) (rabbitmq_queue_messages{{{NS}, queue="unrouted"}})', "{{vhost}}")], "short",
        "Events published while no queue was bound for their type."), 12)

    layout.row("Broker")
    layout.add(timeseries("Messages ready by queue", [
        (f"sum by (queue) (rabbitmq_queue_messages_ready{{{PLATFORM_QUEUES}}})", "{{queue}}")]), 12)
    layout.add(timeseries("Messages unacknowledged by queue", [
        (f"sum by (queue) (rabbitmq_queue_messages_unacked{{{PLATFORM_QUEUES}}})", "{{queue}}")]), 12)
    layout.add(timeseries("Consumers by queue", [
        (f"max by (queue) (rabbitmq_queue_consumers{{{PLATFORM_QUEUES}}})", "{{queue}}")]), 12)
    layout.add(timeseries("Memory and disk alarms", [
        (f"max by (instance) (rabbitmq_alarms_memory_used_watermark{{{NS}}})", "memory {{instance}}"),
        (f"max by (instance) (rabbitmq_alarms_free_disk_space_watermark{{{NS}}})", "disk {{instance}}")]), 12)

    return {
        "title": "Training platform",
        "uid": "training-platform",
        "tags": ["training-platform"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0, "refresh": 1},
            {"name": "namespace", "label": "Namespace", "type": "query", "datasource": DATASOURCE,
             "query": {"query": "label_values(training_entrypoint_requests_total, namespace)",
                       "refId": "namespace"},
             "definition": "label_values(training_entrypoint_requests_total, namespace)",
             "current": {}, "hide": 0, "refresh": 2, "includeAll": False, "multi": False},
        ]},
        "annotations": {"list": []},
        "panels": layout.panels,
    }


def render():
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    Path(__file__).with_name("grafana-dashboard.json").write_text(render())
