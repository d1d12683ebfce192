"""Offline checks of deploy/k8s: render each overlay with kustomize and inspect the objects.

No cluster is needed, only a `kustomize` binary: $KUSTOMIZE, else var/bin/kustomize, else PATH.
"""
import base64
import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ["local", "production"]
NAMESPACE = "training"
SERVICES = {
    "planning": "PlanningService",
    "delivery": "DeliveryService",
    "assessment": "AssessmentService",
    "feedback": "FeedbackService",
    "resources": "ResourcesService",
    "archive": "ArchiveService",
}
APPS = [*SERVICES, "gateway"]
APP_IMAGE = "training-platform"
APP_TAG = "0.1.0"
APP_UID = 10001
# What production expects to exist already (deploy/k8s/README.md lists the same).
PRODUCTION_SECRETS = {"training-amqp": {"AMQP_URI"}} | {
    f"{name}-mongodb": {"MONGO_URI"} for name in SERVICES}
KUSTOMIZE_INSTALL = "GOBIN=$PWD/var/bin go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1"


def kustomize_binary():
    configured = os.environ.get("KUSTOMIZE")
    if configured:
        if os.access(configured, os.X_OK):
            return configured
        pytest.fail(f"KUSTOMIZE={configured} is not an executable file")
    for candidate in (ROOT / "var" / "bin" / "kustomize", shutil.which("kustomize")):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail("no kustomize binary: set KUSTOMIZE, or install one into var/bin from the "
                f"repository root with `{KUSTOMIZE_INSTALL}`")


@functools.lru_cache(maxsize=None)
def build(directory):
    result = subprocess.run([kustomize_binary(), "build", str(directory)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"kustomize build {directory} failed:\n{result.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@pytest.fixture(params=OVERLAYS, scope="module")
def objects(request):
    return build(K8S / "overlays" / request.param)


@pytest.fixture(scope="module")
def local():
    return build(K8S / "overlays" / "local")


@pytest.fixture(scope="module")
def production():
    return build(K8S / "overlays" / "production")


# -- helpers ---------------------------------------------------------------------------------

def of_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def named(objects, kind, name):
    found = [o for o in of_kind(objects, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def generated(objects, kind, name):
    """The ConfigMap or Secret made by a generator (its name carries a hash suffix)."""
    found = [o for o in of_kind(objects, kind) if re.fullmatch(
        rf"{re.escape(name)}(-[a-z0-9]{{10}})?", o["metadata"]["name"])]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def data(obj):
    """A ConfigMap's or Secret's data as text."""
    if obj["kind"] == "Secret":
        return {k: base64.b64decode(v).decode() for k, v in obj.get("data", {}).items()}
    return dict(obj.get("data", {}))


def workloads(objects):
    return [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def containers(workload):
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


def container_cases(objects):
    return [(w, c) for w in workloads(objects) for c in containers(w)]


def label(workload, container):
    return f"{workload['kind']} {workload['metadata']['name']} / {container['name']}"


def image_parts(image):
    """(repository, tag, digest) of an image reference."""
    image, _, digest = image.partition("@")
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repository, tag = image.rsplit(":", 1)
    else:
        repository, tag = image, None
    return repository, tag, digest or None


def is_app(container):
    return image_parts(container["image"])[0].rsplit("/", 1)[-1] == APP_IMAGE


def env(container):
    return {e["name"]: e for e in container.get("env", [])}


def quantity(value):
    text = str(value)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * units[unit]
    return float(text)


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def port_numbers(container):
    return {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}


def config_references(workload):
    """(kind, name, key or None, optional) for every ConfigMap/Secret a pod refers to."""
    spec = pod_spec(workload)
    for container in containers(workload):
        for item in container.get("env", []):
            for ref_kind, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = item.get("valueFrom", {}).get(ref_kind)
                if ref:
                    yield kind, ref["name"], ref["key"], ref.get("optional", False)
        for item in container.get("envFrom", []):
            for ref_kind, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = item.get(ref_kind)
                if ref:
                    yield kind, ref["name"], None, ref.get("optional", False)
    for volume in spec.get("volumes", []):
        sources = volume.get("projected", {}).get("sources", []) + [volume]
        for source in sources:
            if "configMap" in source:
                ref = source["configMap"]
                for item in ref.get("items", [{}]):
                    yield "ConfigMap", ref["name"], item.get("key"), ref.get("optional", False)
            if "secret" in source:
                ref = source["secret"]
                name = ref.get("secretName", ref.get("name"))
                for item in ref.get("items", [{}]):
                    yield "Secret", name, item.get("key"), ref.get("optional", False)


# -- every overlay ---------------------------------------------------------------------------

def test_each_app_has_deployment_service_and_service_account(objects):
    for app in APPS:
        deployment = named(objects, "Deployment", app)
        named(objects, "Service", app)
        named(objects, "ServiceAccount", app)
        assert pod_spec(deployment)["serviceAccountName"] == app


def test_pods_run_under_their_own_service_account_without_api_token(objects):
    accounts = {o["metadata"]["name"] for o in of_kind(objects, "ServiceAccount")}
    for workload in workloads(objects):
        spec = pod_spec(workload)
        assert spec.get("serviceAccountName") in accounts, workload["metadata"]["name"]
        assert spec.get("automountServiceAccountToken") is False, workload["metadata"]["name"]


def test_everything_lives_in_the_namespace(objects):
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == NAMESPACE, obj["metadata"]["name"]
    namespace = named(objects, "Namespace", NAMESPACE)
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_containers_have_requests_and_limits(objects):
    for workload, container in container_cases(objects):
        resources = container.get("resources", {})
        for resource in ("cpu", "memory"):
            request = resources.get("requests", {}).get(resource)
            limit = resources.get("limits", {}).get(resource)
            assert request and limit, f"{label(workload, container)}: {resource} request and limit"
            assert quantity(request) <= quantity(limit), label(workload, container)


def test_containers_have_probes(objects):
    for workload, container in container_cases(objects):
        assert "livenessProbe" in container and "readinessProbe" in container, \
            label(workload, container)
        if not is_app(container):
            continue  # the bundled broker and database use tcp/exec probes
        ports = port_numbers(container)
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"),
                            ("startupProbe", "/healthz")):
            check = container[probe]["httpGet"]
            assert check["path"] == path, label(workload, container)
            assert check["port"] in ports, f"{label(workload, container)}: {probe} port"


def test_restricted_security_context(objects):
    for workload, container in container_cases(objects):
        pod = pod_spec(workload).get("securityContext", {})
        own = container.get("securityContext", {})
        effective = {**pod, **own}
        where = label(workload, container)
        assert effective.get("runAsNonRoot") is True, where
        assert effective.get("runAsUser", 0) > 0, where
        if is_app(container):
            assert effective["runAsUser"] == APP_UID, where
        assert own.get("allowPrivilegeEscalation") is False, where
        assert own.get("readOnlyRootFilesystem") is True, where
        assert not own.get("privileged"), where
        assert own.get("capabilities", {}).get("drop") == ["ALL"], where
        assert not own.get("capabilities", {}).get("add"), where
        assert effective.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
    for workload in workloads(objects):
        spec = pod_spec(workload)
        assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC"))
        assert not any("hostPath" in v for v in spec.get("volumes", []))


def test_every_container_has_a_writable_tmp(objects):
    for workload, container in container_cases(objects):
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        assert "/tmp" in mounts, label(workload, container)
        assert "emptyDir" in volumes[mounts["/tmp"]], label(workload, container)


def test_images_are_pinned(objects):
    for workload, container in container_cases(objects):
        repository, tag, digest = image_parts(container["image"])
        assert digest or (tag and tag != "latest"), label(workload, container)
        if is_app(container):
            assert tag == APP_TAG, label(workload, container)


def test_service_selectors_match_pod_templates(objects):
    for service in of_kind(objects, "Service"):
        selector = service["spec"]["selector"]
        assert selector, service["metadata"]["name"]
        pods = [w for w in workloads(objects)
                if selects(selector, w["spec"]["template"]["metadata"]["labels"])]
        assert pods, f"Service {service['metadata']['name']} selects no pod template"
        for workload in pods:
            assert selects(workload["spec"]["selector"]["matchLabels"],
                           workload["spec"]["template"]["metadata"]["labels"])
            named_ports = {}
            numbers = set()
            for container in containers(workload):
                named_ports.update(port_numbers(container))
                numbers.update(p["containerPort"] for p in container.get("ports", []))
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                assert target in named_ports or target in numbers, \
                    f"Service {service['metadata']['name']} port {port.get('name')}"


def test_apps_are_scraped_by_prometheus(objects):
    for app in APPS:
        deployment = named(objects, "Deployment", app)
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        ports = {p["containerPort"] for p in pod_spec(deployment)["containers"][0]["ports"]}
        assert int(annotations["prometheus.io/port"]) in ports, app


def test_services_run_their_nameko_class(objects):
    for name, cls in SERVICES.items():
        deployment = named(objects, "Deployment", name)
        spec = pod_spec(deployment)
        (container,) = spec["containers"]
        assert container["command"] == [
            "nameko", "run", "--config", "config/nameko.yaml", f"services.{name}.service:{cls}"]
        variables = env(container)
        assert variables["OPS_ADDRESS"]["value"] == "0.0.0.0:8000"
        assert port_numbers(container)["ops"] == 8000
        assert variables["AMQP_URI"]["valueFrom"]["secretKeyRef"]["key"] == "AMQP_URI"
        mongo = variables["MONGO_URI"]["valueFrom"]["secretKeyRef"]
        assert mongo["name"].startswith(f"{name}-mongodb") and mongo["key"] == "MONGO_URI"
        assert spec["terminationGracePeriodSeconds"] == 30
        config = data(named(objects, "ConfigMap", container["envFrom"][0]["configMapRef"]["name"]))
        for key in ("LOG_LEVEL", "MAX_WORKERS", "HANDLER_ATTEMPTS", "HANDLER_BACKOFF_SECONDS",
                    "HANDLER_DELIVERY_LIMIT", "OUTBOX_RELAY_INTERVAL_SECONDS"):
            assert config.get(key), key


def test_gateway_runs_gunicorn_with_multiprocess_metrics(objects):
    deployment = named(objects, "Deployment", "gateway")
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    assert container["command"] == [
        "gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]
    variables = env(container)
    assert variables["GATEWAY_BIND"]["value"] == "0.0.0.0:8080"
    assert port_numbers(container)["http"] == 8080
    assert spec["terminationGracePeriodSeconds"] == 30
    multiproc = variables["PROMETHEUS_MULTIPROC_DIR"]["value"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mounts[multiproc]]
    config = data(named(objects, "ConfigMap", container["envFrom"][0]["configMapRef"]["name"]))
    for key in ("RPC_TIMEOUT_SECONDS", "AUTH_MODE", "JWT_ROLES_CLAIM", "GUNICORN_WORKERS"):
        assert config.get(key), key


def test_config_references_resolve(objects):
    """Every referenced ConfigMap/Secret that the render contains has the referenced key."""
    rendered = {(o["kind"], o["metadata"]["name"]): data(o)
                for o in objects if o["kind"] in ("ConfigMap", "Secret")}
    for workload in workloads(objects):
        for kind, name, key, _ in config_references(workload):
            if (kind, name) in rendered and key is not None:
                assert key in rendered[(kind, name)], f"{kind} {name} has no key {key}"


# -- production ------------------------------------------------------------------------------

def test_production_bundles_no_broker_database_or_credentials(production):
    assert not of_kind(production, "StatefulSet")
    assert not of_kind(production, "Secret")
    for workload, container in container_cases(production):
        assert is_app(container), label(workload, container)


def test_production_expects_the_documented_secrets(production):
    expected = {}
    for workload in workloads(production):
        for kind, name, key, optional in config_references(workload):
            if kind == "ConfigMap":
                generated(production, "ConfigMap", name)
            elif not optional:
                expected.setdefault(name, set()).add(key)
    assert expected == PRODUCTION_SECRETS
    readme = (K8S / "README.md").read_text()
    for name in PRODUCTION_SECRETS:
        assert f"`{name}`" in readme, f"README does not document secret {name}"


def test_production_runs_at_least_two_replicas(production):
    for deployment in of_kind(production, "Deployment"):
        assert deployment["spec"]["replicas"] >= 2, deployment["metadata"]["name"]


def test_production_disruption_budgets_cover_every_deployment(production):
    budgets = of_kind(production, "PodDisruptionBudget")
    for deployment in of_kind(production, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets if selects(b["spec"]["selector"]["matchLabels"], labels)]
        assert len(matching) == 1, deployment["metadata"]["name"]
        spec = matching[0]["spec"]
        # A budget that allows no eviction would block node drains.
        if "minAvailable" in spec:
            assert spec["minAvailable"] < deployment["spec"]["replicas"]
        else:
            assert spec["maxUnavailable"] >= 1


def test_production_autoscales_the_gateway(production):
    (autoscaler,) = of_kind(production, "HorizontalPodAutoscaler")
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "gateway")
    named(production, "Deployment", "gateway")
    assert 2 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]
    (metric,) = autoscaler["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"


def test_production_spreads_replicas_over_nodes(production):
    for deployment in of_kind(production, "Deployment"):
        constraints = pod_spec(deployment)["topologySpreadConstraints"]
        assert constraints[0]["topologyKey"] == "kubernetes.io/hostname"
        assert selects(constraints[0]["labelSelector"]["matchLabels"],
                       deployment["spec"]["template"]["metadata"]["labels"])


def test_production_ingress_serves_the_gateway_over_tls(production):
    (ingress,) = of_kind(production, "Ingress")
    (tls,) = ingress["spec"]["tls"]
    assert tls["hosts"] == ["training.example.com"] and tls["secretName"]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "training.example.com"
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    service = named(production, "Service", backend["name"])
    assert backend["name"] == "gateway"
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_production_gateway_verifies_oidc_tokens(production):
    gateway = pod_spec(named(production, "Deployment", "gateway"))["containers"][0]
    config = data(named(production, "ConfigMap", gateway["envFrom"][0]["configMapRef"]["name"]))
    assert config["AUTH_MODE"] == "oidc"
    assert config["OIDC_ISSUER"] and config["OIDC_AUDIENCE"]
    assert config["OIDC_JWKS_URL"].startswith("https://")


def test_production_network_policies_expose_only_the_gateway(production):
    policies = of_kind(production, "NetworkPolicy")
    deny = named(production, "NetworkPolicy", "default-deny-ingress")
    assert deny["spec"]["podSelector"] == {} and deny["spec"]["policyTypes"] == ["Ingress"]
    assert not deny["spec"].get("ingress")
    deployments = of_kind(production, "Deployment")
    for policy in policies:
        open_rules = [r for r in policy["spec"].get("ingress", [])
                      if not r.get("from")]  # no `from`: any source
        if not open_rules:
            continue
        selected = [d["metadata"]["name"] for d in deployments
                    if selects(policy["spec"]["podSelector"].get("matchLabels", {}),
                               d["spec"]["template"]["metadata"]["labels"])]
        assert selected == ["gateway"], policy["metadata"]["name"]
    services = named(production, "NetworkPolicy", "services")
    egress_ports = {p["port"] for rule in services["spec"]["egress"] for p in rule["ports"]}
    assert egress_ports == {53, 5671, 5672, 27017}
    for name in SERVICES:
        labels = named(production, "Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert selects(services["spec"]["podSelector"]["matchLabels"], labels)


# -- local -----------------------------------------------------------------------------------

def test_local_bundles_broker_and_database_with_volumes(local):
    for name, image in (("rabbitmq", "rabbitmq:3.10-management"), ("mongodb", "mongo:")):
        statefulset = named(local, "StatefulSet", name)
        assert statefulset["spec"]["replicas"] == 1
        assert pod_spec(statefulset)["containers"][0]["image"].startswith(image)
        (claim,) = statefulset["spec"]["volumeClaimTemplates"]
        mounts = {m["name"] for m in pod_spec(statefulset)["containers"][0]["volumeMounts"]}
        assert claim["metadata"]["name"] in mounts
        named(local, "Service", name)
    for deployment in of_kind(local, "Deployment"):
        assert deployment["spec"]["replicas"] == 1


def test_local_is_self_contained(local):
    rendered = {(o["kind"], o["metadata"]["name"]) for o in local}
    for workload in workloads(local):
        for kind, name, _, optional in config_references(workload):
            assert optional or (kind, name) in rendered, f"{kind} {name} is not rendered"


def test_local_broker_catches_unrouted_events(local):
    statefulset = named(local, "StatefulSet", "rabbitmq")
    container = pod_spec(statefulset)["containers"][0]
    (config_volume,) = [v for v in pod_spec(statefulset)["volumes"] if v["name"] == "config"]
    mount_path = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}["config"]
    files = {}  # path in the container -> content
    for source in config_volume["projected"]["sources"]:
        kind, ref = ("ConfigMap", source["configMap"]) if "configMap" in source \
            else ("Secret", source["secret"])
        content = data(named(local, kind, ref["name"]))
        for item in ref["items"]:
            files[f"{mount_path}/{item['path']}"] = content[item["key"]]
    settings = dict(line.split(" = ", 1) for line in files[f"{mount_path}/rabbitmq.conf"]
                    .splitlines() if line and not line.startswith("#"))
    directory = settings["load_definitions"]
    definitions = [json.loads(files[p]) for p in sorted(files) if p.startswith(directory + "/")]
    merged = {}
    for part in definitions:  # the node imports the files in name order
        for key, values in part.items():
            merged.setdefault(key, []).extend(values)
    assert [v["name"] for v in merged["vhosts"]] == ["/"]
    (policy,) = merged["policies"]
    assert policy["apply-to"] == "exchanges"
    assert policy["definition"] == {"alternate-exchange": "unrouted"}
    for name in SERVICES:
        assert re.search(policy["pattern"], f"{name}.events")
    assert not re.search(policy["pattern"], "unrouted")
    assert not re.search(policy["pattern"], "planning.events.retry")
    (exchange,) = merged["exchanges"]
    assert (exchange["name"], exchange["type"], exchange["durable"]) == ("unrouted", "fanout", True)
    (queue,) = merged["queues"]
    assert (queue["name"], queue["durable"]) == ("unrouted", True)
    (binding,) = merged["bindings"]
    assert (binding["source"], binding["destination"]) == ("unrouted", "unrouted")
    # The node creates no default user when it imports definitions: the AMQP_URI user must be
    # among them, with the same password.
    amqp = urlsplit(data(generated(local, "Secret", "training-amqp"))["AMQP_URI"])
    users = {u["name"]: u["password"] for u in merged["users"]}
    assert users[amqp.username] == amqp.password
    assert amqp.username in {p["user"] for p in merged["permissions"]}
    # Permissions need their vhost: the file declaring it must be imported first.
    first = {key: next(i for i, d in enumerate(definitions) if key in d)
             for key in ("vhosts", "permissions")}
    assert first["vhosts"] < first["permissions"]


def test_local_database_users_come_from_service_uris(local):
    statefulset = named(local, "StatefulSet", "mongodb")
    variables = env(pod_spec(statefulset)["containers"][0])
    for name in SERVICES:
        ref = variables[f"{name.upper()}_MONGO_URI"]["valueFrom"]["secretKeyRef"]
        service_ref = env(pod_spec(named(local, "Deployment", name))["containers"][0])[
            "MONGO_URI"]["valueFrom"]["secretKeyRef"]
        assert ref == service_ref
        uri = urlsplit(data(named(local, "Secret", ref["name"]))["MONGO_URI"])
        database = uri.path.lstrip("/")
        assert uri.hostname == "mongodb" and database == f"training_{name}"
        assert uri.username == name and "dev-only" in uri.password
        assert parse_qs(uri.query)["authSource"] == [database]
    script = next(iter(data(generated(local, "ConfigMap", "mongodb-init")).values()))
    for name in SERVICES:
        assert f'"{name}"' in script


def test_local_gateway_uses_local_tokens(local):
    gateway = pod_spec(named(local, "Deployment", "gateway"))["containers"][0]
    config = data(named(local, "ConfigMap", gateway["envFrom"][0]["configMapRef"]["name"]))
    assert config["AUTH_MODE"] == "local"
    ref = env(gateway)["JWT_SECRET"]["valueFrom"]["secretKeyRef"]
    assert "dev-only" in data(named(local, "Secret", ref["name"]))[ref["key"]]


# -- optional component and the image --------------------------------------------------------

def test_service_monitor_component_scrapes_every_app(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(K8S / "overlays" / "production", tmp_path)],
        "components": [os.path.relpath(K8S / "components" / "service-monitors", tmp_path)],
    }))
    objects = build(tmp_path)
    (monitor,) = of_kind(objects, "ServiceMonitor")
    selector = monitor["spec"]["selector"]
    endpoint_ports = {e["port"] for e in monitor["spec"]["endpoints"]}
    for app in APPS:
        service = named(objects, "Service", app)
        labels = service["metadata"]["labels"]
        assert selects(selector["matchLabels"], labels)
        for expression in selector.get("matchExpressions", []):
            assert labels.get(expression["key"]) in expression["values"], app
        assert {p["name"] for p in service["spec"]["ports"]} & endpoint_ports, app


def test_dockerfile_builds_the_image_the_manifests_expect():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert "pip install -c requirements/constraints.txt ." in dockerfile
    assert re.search(rf"^USER {APP_UID}(:{APP_UID})?$", dockerfile, re.M)
    assert re.search(r"^WORKDIR /app$", dockerfile, re.M)
