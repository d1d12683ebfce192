"""Alerts and dashboard (deploy/k8s/components/monitoring) against promtool and the real platform.

Offline: `promtool check rules`; `promtool test rules` with alerts.test.yaml, where every alert
fires; runbook links; the dashboard JSON (what dashboard.py writes, one row per app, a data
source variable and no data source of its own) and the ConfigMap that provisions it.

Live: the six services and the gateway run as real processes on a RabbitMQ node of this module's
own, with the rabbitmq_prometheus plugin and per-queue metrics; each `/metrics` passes
`promtool check metrics`, and every metric that a rule, a dashboard panel or a KEDA query names
is one that these processes or the broker export (`up` alone comes from Prometheus itself),
with the labels the expressions select on.
"""
import json
import os
import re
import runpy
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import promql_parser
from prometheus_client import ProcessCollector
from prometheus_client.parser import text_string_to_metric_families
import pytest
import requests
import yaml
from kombu import Connection, Exchange

from shared.testing import SERVICE_CLASSES, ServiceProcess, free_port, wait_until
from tests.platform import GatewayProcess, auth
from tests.k8s_render import named, of_kind, render

ROOT = Path(__file__).resolve().parents[1]
MONITORING = ROOT / "deploy" / "k8s" / "components" / "monitoring"
RUNBOOK = ROOT / "docs" / "runbook.md"
RULE = yaml.safe_load((MONITORING / "prometheus-rule.yaml").read_text())
ALERTS = [rule for group in RULE["spec"]["groups"] for rule in group["rules"] if "alert" in rule]
DASHBOARD = json.loads((MONITORING / "grafana-dashboard.json").read_text())
APPS = ["gateway", *SERVICE_CLASSES]
# Series Prometheus makes itself for every target, not exported by any process.
PROMETHEUS_SERIES = {"up"}
# Labels Prometheus adds to every scraped series (target labels).
TARGET_LABELS = {"job", "instance", "namespace", "pod", "container", "endpoint", "service_name"}
# Values for Grafana's variables, so that the panels' queries parse as PromQL.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$namespace": "training"}


def promtool():
    configured = os.environ.get("PROMTOOL")
    for candidate in (configured, ROOT / "var" / "bin" / "promtool", shutil.which("promtool")):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail("no promtool: set PROMTOOL, or run scripts/setup (it extracts promtool from Debian's "
                "prometheus package into var/bin)")


def run_promtool(*args, stdin=None, cwd=None):
    return subprocess.run([promtool(), *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def rules_folder(tmp_path_factory):
    """The PrometheusRule's spec as a plain rule file, beside a copy of the unit tests."""
    folder = tmp_path_factory.mktemp("rules")
    (folder / "prometheus-rules.yaml").write_text(yaml.safe_dump(RULE["spec"], sort_keys=False))
    shutil.copy(MONITORING / "alerts.test.yaml", folder / "alerts.test.yaml")
    return folder


# -- the rules -------------------------------------------------------------------------------

def test_rules_pass_promtool_check(rules_folder):
    result = run_promtool("check", "rules", str(rules_folder / "prometheus-rules.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_every_alert_fires_in_the_rule_unit_tests(rules_folder):
    result = run_promtool("test", "rules", "alerts.test.yaml", cwd=rules_folder)
    assert result.returncode == 0, result.stdout + result.stderr
    tests = yaml.safe_load((MONITORING / "alerts.test.yaml").read_text())["tests"]
    fired = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if case["exp_alerts"]}
    quiet = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if not case["exp_alerts"]}
    names = {alert["alert"] for alert in ALERTS}
    assert fired == names, names - fired
    assert quiet == names, names - quiet  # and each is checked not to fire on a healthy platform


def test_rule_unit_tests_fail_when_an_alert_breaks(rules_folder, tmp_path):
    """A rule that could no longer fire makes promtool test rules fail (the pass above counts)."""
    broken = yaml.safe_load((rules_folder / "prometheus-rules.yaml").read_text())
    for group in broken["groups"]:
        for rule in group["rules"]:
            if rule["alert"] == "TrainingDeadLetters":
                rule["expr"] = rule["expr"].replace("> 0", "> 100")
    (tmp_path / "prometheus-rules.yaml").write_text(yaml.safe_dump(broken))
    shutil.copy(rules_folder / "alerts.test.yaml", tmp_path)
    result = run_promtool("test", "rules", "alerts.test.yaml", cwd=tmp_path)
    assert result.returncode != 0 and "TrainingDeadLetters" in result.stdout + result.stderr


def anchors(markdown):
    """GitHub's anchors of a Markdown file's headings."""
    found = set()
    for line in markdown.splitlines():
        if match := re.match(r"#{1,6} (.+)", line):
            slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
            found.add(slug)
    return found


def test_every_alert_links_to_its_runbook_section():
    sections = anchors(RUNBOOK.read_text())
    for alert in ALERTS:
        url = alert["annotations"]["runbook_url"]
        base, _, anchor = url.partition("#")
        assert base == "https://runbooks.example.com/training-platform/runbook.md", alert["alert"]
        assert anchor in sections, f"{alert['alert']}: docs/runbook.md has no section #{anchor}"
        assert alert["labels"]["severity"] in ("warning", "critical")
        assert alert["annotations"]["summary"] and alert["annotations"]["description"]
        assert alert["alert"] in RUNBOOK.read_text(), f"the runbook does not name {alert['alert']}"


# -- the dashboard ---------------------------------------------------------------------------

def test_dashboard_json_is_what_dashboard_py_writes():
    dashboard = runpy.run_path(str(MONITORING / "dashboard.py"))
    assert (MONITORING / "grafana-dashboard.json").read_text() == dashboard["render"](), \
        "run python deploy/k8s/components/monitoring/dashboard.py"


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_dashboard_queries_only_the_chosen_data_source():
    (variable,) = [v for v in DASHBOARD["templating"]["list"] if v["type"] == "datasource"]
    assert variable["query"] == "prometheus"
    for node in walk(DASHBOARD):
        if "datasource" in node and node is not variable:
            assert node["datasource"] == {"type": "prometheus", "uid": f"${{{variable['name']}}}"}, node
    panels = [p for p in DASHBOARD["panels"] if p["type"] != "row"]
    assert panels and all("datasource" in p and p["targets"] for p in panels)
    assert all("datasource" in t for p in panels for t in p["targets"])


def test_dashboard_has_a_row_per_app_then_events_and_broker():
    rows, current = {}, None
    for panel in DASHBOARD["panels"]:
        if panel["type"] == "row":
            current = rows.setdefault(panel["title"], [])
        else:
            current.append(" ".join(t["expr"] for t in panel["targets"]))
    assert [title for title in rows if title in APPS] == APPS
    for service in SERVICE_CLASSES:
        queries = rows[service]
        for metric in ("training_entrypoint_requests_total", "training_entrypoint_errors_total",
                       "training_entrypoint_duration_seconds_bucket"):
            assert any(metric in q and f'service="{service}"' in q for q in queries), (service, metric)
        # Failures apart from expected domain errors.
        assert any('outcome="failure"' in q for q in queries) and any('outcome="expected"' in q for q in queries)
    gateway = " ".join(rows["gateway"])
    assert "training_http_requests_total" in gateway and "training_http_request_duration_seconds_bucket" in gateway
    events = " ".join(rows["Events"])
    for metric in ("training_events_consumed_total", "training_events_published_total",
                   "training_event_delivery_lag_seconds_bucket", "training_outbox_backlog_events",
                   "training_dead_letters"):
        assert metric in events, metric
    assert "sum by (source, service, event_type) (rate(training_events_consumed_total" in events  # the flow
    assert "process_start_time_seconds" in " ".join(rows["Overview"])  # uptime
    broker = " ".join(rows["Broker"])
    for metric in ("rabbitmq_queue_messages_ready", "rabbitmq_queue_consumers"):
        assert metric in broker, metric
    ids = [p["id"] for p in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))


def test_dashboard_is_provisioned_by_a_config_map():
    config_map = named(render("prod"), "ConfigMap", "training-platform-dashboard")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(config_map["data"]["training-platform.json"]) == DASHBOARD
    rule = named(render("prod"), "PrometheusRule", "training-platform")
    assert rule["spec"] == RULE["spec"]


# -- every expression against the running platform -------------------------------------------

def expressions():
    """(where, PromQL) of every rule, dashboard panel and KEDA trigger."""
    found = [(f"rule {alert['alert']}", alert["expr"]) for alert in ALERTS]
    for panel in DASHBOARD["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            found.append((f"panel {panel['title']}", expr))
    for scaled in of_kind(render("prod-queue-autoscaling"), "ScaledObject"):
        for trigger in scaled["spec"]["triggers"]:
            found.append((f"ScaledObject {scaled['metadata']['name']}", trigger["metadata"]["query"]))
    return found


def selectors(expr):
    """(metric name, {label names matched}) of every series selector in a PromQL expression."""
    found = []

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            labels = {matcher.name for matcher in node.matchers.matchers}
            found.append((node.name, labels))
        for attribute in ("expr", "lhs", "rhs", "vector_selector", "param"):
            child = getattr(node, attribute, None)
            if child is not None and not isinstance(child, (str, int, float)):
                visit(child)
        for child in getattr(node, "args", None) or []:
            visit(child)

    visit(promql_parser.parse(expr))
    return found


def test_every_expression_parses_and_names_its_metrics():
    for where, expr in expressions():
        found = selectors(expr)
        assert found and all(name for name, _ in found), f"{where}: {expr}"


def exposition_names(text):
    """{sample name: set of label names} of a Prometheus text exposition, with the names every
    declared family can have even before its first sample (histograms: _bucket, _sum, _count)."""
    names = {}
    suffixes = {"histogram": ("_bucket", "_sum", "_count", "_created"), "summary": ("_sum", "_count", "_created"),
                "counter": ("", "_created"), "gauge": ("",), "untyped": ("",), "unknown": ("",)}
    for line in text.splitlines():
        if match := re.match(r"# TYPE (\S+) (\S+)", line):
            family, kind = match.groups()
            for suffix in suffixes[kind]:
                names.setdefault(family + suffix, set())
        elif line and not line.startswith("#"):
            sample = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s", line)
            labels = set(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', sample.group(3) or ""))
            names.setdefault(sample.group(1), set()).update(labels | {"__sample__"})
    return names


class OwnBroker:
    """A RabbitMQ node of this module's own, with rabbitmq_prometheus on a free port."""

    def __init__(self, directory):
        self.directory = directory
        self.node = f"training-monitoring-{os.getpid()}-{uuid.uuid4().hex[:4]}@localhost"
        self.amqp_port, self.management_port, self.metrics_port, self.dist_port = (free_port() for _ in range(4))
        self.bin = "/usr/lib/rabbitmq/bin" if os.path.isdir("/usr/lib/rabbitmq/bin") else \
            os.path.dirname(shutil.which("rabbitmq-server"))
        self.env = dict(os.environ, RABBITMQ_MNESIA_BASE=str(directory / "mnesia"),
                        RABBITMQ_LOG_BASE=str(directory / "log"), RABBITMQ_NODENAME=self.node,
                        RABBITMQ_CONFIG_FILE=str(directory / "rabbitmq"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=str(directory / "enabled_plugins"),
                        RABBITMQ_PID_FILE=str(directory / "rabbitmq.pid"), RABBITMQ_DIST_PORT=str(self.dist_port))

    def start(self):
        (self.directory / "rabbitmq.conf").write_text("\n".join([
            f"listeners.tcp.default = 127.0.0.1:{self.amqp_port}",
            f"management.tcp.port = {self.management_port}", "management.tcp.ip = 127.0.0.1",
            f"prometheus.tcp.port = {self.metrics_port}", "prometheus.tcp.ip = 127.0.0.1",
            # as components/rabbitmq-single and components/rabbitmq-cluster configure it
            "prometheus.return_per_object_metrics = true", "loopback_users = none", ""]))
        (self.directory / "enabled_plugins").write_text("[rabbitmq_management,rabbitmq_prometheus].\n")
        subprocess.run([f"{self.bin}/rabbitmq-server", "-detached"], env=self.env, check=True,
                       capture_output=True, timeout=60)
        subprocess.run([f"{self.bin}/rabbitmqctl", "-n", self.node, "-q", "wait", self.env["RABBITMQ_PID_FILE"],
                        "--timeout", "90"], env=self.env, check=True, capture_output=True, timeout=120)
        return self

    @property
    def amqp_uri(self):
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/"

    def metrics(self):
        return requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10).text

    def stop(self):
        subprocess.run([f"{self.bin}/rabbitmqctl", "-n", self.node, "-q", "stop"], env=self.env,
                       capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def scrapes(tmp_path_factory, mongo_client):
    """{process: its /metrics text} of the running platform and its broker, after some traffic."""
    broker = OwnBroker(tmp_path_factory.mktemp("rabbitmq")).start()
    logs = tmp_path_factory.mktemp("platform")
    base = os.environ["TEST_MONGO_URI"].rstrip("/")
    databases = {name: f"t_{name}_{uuid.uuid4().hex[:10]}" for name in [*SERVICE_CLASSES, "gateway"]}
    services = {name: ServiceProcess(name, broker.amqp_uri, f"{base}/{databases[name]}", logs)
                for name in SERVICE_CLASSES}
    multiproc = logs / "prometheus"
    multiproc.mkdir()
    gateway = GatewayProcess(broker.amqp_uri, f"{base}/{databases['gateway']}", logs, multiproc)
    try:
        for process in services.values():
            process.start(wait=False)
        for process in services.values():
            process.wait_ready()
        gateway.start()
        # Traffic: an RPC through the gateway, one that is refused (NotFound), and an invalid
        # event that planning's handler parks.
        headers = auth("manager")
        assert requests.get(f"{gateway.url}/api/v1/plans", headers=headers, timeout=10).status_code == 200
        assert requests.get(f"{gateway.url}/api/v1/plans/{uuid.uuid4().hex}", headers=headers,
                            timeout=10).status_code == 404
        with Connection(broker.amqp_uri) as connection:
            connection.Producer().publish({"type": "ExamGraded.v1", "not": "an envelope"},
                                          exchange=Exchange("assessment.events", type="topic", durable=True),
                                          routing_key="ExamGraded.v1", serializer="json", declare=[])
        wait_until(lambda: 'outcome="parked"' in requests.get(services["planning"].url("/metrics"), timeout=5).text,
                   30, 0.5, "planning to park the invalid event")
        found = {name: requests.get(process.url("/metrics"), timeout=10).text for name, process in services.items()}
        found["gateway"] = requests.get(f"{gateway.url}/metrics", timeout=10).text
        found["gateway-master-pid"] = gateway.process.pid  # gunicorn's master (not a scrape)
        # The broker's per-queue metrics are computed every few seconds.
        wait_until(lambda: re.search(r'rabbitmq_queue_consumers\{[^}]*queue="rpc-planning"', broker.metrics()), 60, 1,
                   "per-queue broker metrics (of a quorum queue: rpc-planning)")
        found["rabbitmq"] = broker.metrics()
        yield found
    finally:
        running = [p.process for p in [gateway, *services.values()]
                   if getattr(p, "process", None) is not None and p.process.poll() is None]
        for process in running:  # all at once: each finishes its work on SIGTERM
            process.terminate()
        for process in running:
            process.wait(30)
        broker.stop()
        for name in databases.values():
            mongo_client.drop_database(name)


@pytest.mark.parametrize("process", APPS)
def test_metrics_pass_promtool_check_metrics(scrapes, process):
    text = scrapes[process]
    assert "# TYPE" in text
    result = run_promtool("check", "metrics", stdin=text)
    assert result.returncode == 0, f"{process}: {result.stdout}{result.stderr}"


def test_broker_metrics_parse(scrapes):
    """RabbitMQ's own exposition is not ours to name (promtool's lint objects to its erlang_*
    names); it must parse, with the families the rules and the dashboard use."""
    families = {family.name for family in text_string_to_metric_families(scrapes["rabbitmq"])}
    for name in ("rabbitmq_queue_messages_ready", "rabbitmq_queue_consumers",
                 "rabbitmq_alarms_memory_used_watermark", "rabbitmq_alarms_free_disk_space_watermark"):
        assert name in families, name


def test_every_metric_named_in_rules_dashboard_and_autoscaling_is_exported(scrapes):
    exported = {}
    for text in (text for name, text in scrapes.items() if name != "gateway-master-pid"):
        for name, labels in exposition_names(text).items():
            exported.setdefault(name, set()).update(labels)
    problems = []
    for where, expr in expressions():
        for name, labels in selectors(expr):
            if name in PROMETHEUS_SERIES:
                continue
            if name not in exported:
                problems.append(f"{where}: {name} is not exported")
                continue
            wanted = labels - TARGET_LABELS - {"__name__"}
            if wanted and "__sample__" not in exported[name]:
                problems.append(f"{where}: no sample of {name} to check its labels {sorted(wanted)} on")
            elif wanted - exported[name]:
                problems.append(f"{where}: {name} has no label {sorted(wanted - exported[name])}")
    assert not problems, "\n".join(problems)


def test_the_scrapes_hold_what_the_comparison_relies_on(scrapes):
    """The processes really were the platform's, and the traffic reached them."""
    for service in SERVICE_CLASSES:
        assert f'training_outbox_backlog_events{{service="{service}"}}' in scrapes[service]
    assert re.search(r'training_entrypoint_requests_total\{[^}]*kind="Rpc"', scrapes["planning"])
    # The refused RPC is an expected domain error, not a failure; the parked event names its source.
    assert re.search(r'training_entrypoint_errors_total\{[^}]*error="NotFound"[^}]*outcome="expected"', scrapes["planning"])
    assert not re.search(r'training_entrypoint_errors_total\{[^}]*error="NotFound"[^}]*outcome="failure"',
                         scrapes["planning"])
    assert re.search(r'training_events_consumed_total\{[^}]*event_type="ExamGraded.v1"[^}]*outcome="parked"'
                     r'[^}]*source="assessment"', scrapes["planning"])
    assert re.search(r'training_http_requests_total\{[^}]*status="404"', scrapes["gateway"])
    assert re.search(r'rabbitmq_queue_consumers\{[^}]*queue="rpc-planning"', scrapes["rabbitmq"])


def test_the_comparison_sees_every_selector_and_family():
    """The helpers the comparison relies on find nested selectors and a histogram's series."""
    found = selectors('histogram_quantile(0.9, sum by (le) (rate(a_seconds_bucket{service="x"}[5m]))) '
                      '/ on () group_left max(b_total) or absent(c{queue="q"})')
    assert sorted(found, key=lambda item: item[0]) == [("a_seconds_bucket", {"service"}), ("b_total", set()),
                                                       ("c", {"queue"})]
    names = exposition_names('# TYPE a_seconds histogram\na_seconds_bucket{le="1",service="x"} 1.0\n'
                             '# TYPE b_total counter\n')
    assert {"a_seconds_bucket", "a_seconds_sum", "a_seconds_count", "b_total"} <= set(names)
    assert names["a_seconds_bucket"] == {"le", "service", "__sample__"} and names["b_total"] == set()


def test_the_gateway_exports_its_start_time_in_multiprocess_mode(scrapes):
    """prometheus_client's multiprocess mode has no process metrics; the gateway exports the
    start time of gunicorn's master, the process its workers share the metrics of."""
    samples = [sample for family in text_string_to_metric_families(scrapes["gateway"])
               for sample in family.samples if sample.name == "process_start_time_seconds"]
    assert len(samples) == 1
    (master,) = [sample for family in ProcessCollector(pid=lambda: scrapes["gateway-master-pid"], registry=None).collect()
                 for sample in family.samples if sample.name == "process_start_time_seconds"]
    assert samples[0].value == master.value
    assert 0 < time.time() - master.value < 3600
