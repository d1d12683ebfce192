"""Offline checks of deploy/k8s: render each overlay (and the production variants) with kustomize
and inspect the objects. Schemas: tests/test_k8s_schemas.py; network policies:
tests/test_network_policies.py; alerts and dashboard: tests/test_monitoring.py."""
import base64
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from cryptography.hazmat.primitives import serialization

from tests.k8s_render import K8S, OVERLAYS, ROOT, VARIANTS, named, of_kind, render, working_copy

NAMESPACE = "training"
SERVICES = {
    "planning": "PlanningService",
    "delivery": "DeliveryService",
    "assessment": "AssessmentService",
    "feedback": "FeedbackService",
    "resources": "ResourcesService",
    "archive": "ArchiveService",
    "webhooks": "WebhooksService",
}
APPS = ["gateway", *SERVICES]
APP_TAG = "0.1.0"
APP_UID = 10001
RENDERS = [*OVERLAYS, *VARIANTS]
# Secrets the operators create: the RabbitMQ administrator and one connection string per user.
OPERATOR_SECRETS = {"rabbitmq-default-user"} | {f"{app}-mongodb-connection" for app in APPS}
# What production expects to exist already (docs/deployment.md lists the same).
PRODUCTION_SECRETS = (
    {f"{app}-amqp": {"AMQP_URI"} for app in APPS}
    | {f"{app}-mongodb-password": {"password"} for app in APPS}
    | {"gateway-identity": {"IDENTITY_SIGNING_KEY"}, "identity-verifying-key": {"IDENTITY_VERIFYING_KEY"},
       "service-identity": {"SERVICE_IDENTITY_SECRET"}, "archive-keys": {"ARCHIVE_MASTER_KEY", "ARCHIVE_SEARCH_KEY"},
       "training-tls": {"tls.crt", "tls.key"}}
)


@pytest.fixture(params=RENDERS, scope="module")
def objects(request):
    return render(request.param)


@pytest.fixture(scope="module")
def dev():
    return render("dev")


@pytest.fixture(scope="module")
def prod():
    return render("prod")


# -- helpers ---------------------------------------------------------------------------------

def generated(objects, kind, name):
    """The ConfigMap or Secret made by a generator (its name may carry a hash suffix)."""
    found = [o for o in of_kind(objects, kind) if re.fullmatch(
        rf"{re.escape(name)}(-[2456789bcdfghkmt]{{10}})?", o["metadata"]["name"])]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def data(obj):
    """A ConfigMap's or Secret's data as text."""
    if obj["kind"] == "Secret":
        return {k: base64.b64decode(v).decode() for k, v in obj.get("data", {}).items()}
    return dict(obj.get("data", {}))


def workloads(objects):
    return [o for o in objects if o["kind"] in ("Deployment", "StatefulSet", "Job")]


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


def app_of_image(image):
    """'planning' for .../training-planning:0.1.0; None for images that are not the platform's."""
    name = image_parts(image)[0].rsplit("/", 1)[-1]
    return name.removeprefix("training-") if name.startswith("training-") else None


def env(container):
    return {e["name"]: e for e in container.get("env", [])}


def unhashed(name):
    """A generated ConfigMap's or Secret's name without kustomize's content hash."""
    return re.sub(r"-[2456789bcdfghkmt]{10}$", "", name)


def secret_ref(container, variable):
    """The Secret (its name without a generator's hash) and key that a variable comes from."""
    ref = dict(env(container)[variable]["valueFrom"]["secretKeyRef"])
    ref["name"] = unhashed(ref["name"])
    return ref


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


def main_container(objects, app):
    return pod_spec(named(objects, "Deployment", app))["containers"][0]


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


def dockerfile_commands():
    """{target: CMD list} of the Dockerfile's final stages."""
    commands, stage = {}, None
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if match := re.match(r"FROM \S+ AS (\S+)", line):
            stage = match.group(1)
        elif line.startswith("CMD "):
            commands[stage] = json.loads(line[4:])
    return commands


# -- every render ----------------------------------------------------------------------------

def test_each_app_has_its_objects(objects):
    for app in APPS:
        deployment = named(objects, "Deployment", app)
        named(objects, "Service", app)
        named(objects, "ServiceAccount", app)
        assert pod_spec(deployment)["serviceAccountName"] == app
        budgets = [b for b in of_kind(objects, "PodDisruptionBudget")
                   if selects(b["spec"]["selector"]["matchLabels"],
                              deployment["spec"]["template"]["metadata"]["labels"])]
        assert len(budgets) == 1, app
        assert budgets[0]["spec"]["maxUnavailable"] == 1  # a budget of 0 would block node drains
        own_config = "gateway-config" if app == "gateway" else f"{app}-config"
        used = {ref["configMapRef"]["name"] for ref in main_container(objects, app)["envFrom"]
                if "configMapRef" in ref}
        assert own_config in {unhashed(name) for name in used}, app


def test_pods_run_under_their_own_service_account_without_api_token(objects):
    accounts = {o["metadata"]["name"] for o in of_kind(objects, "ServiceAccount")}
    users = {}
    for workload in workloads(objects):
        spec = pod_spec(workload)
        assert spec.get("serviceAccountName") in accounts, workload["metadata"]["name"]
        assert spec.get("automountServiceAccountToken") is False, workload["metadata"]["name"]
        users.setdefault(spec["serviceAccountName"], []).append(workload["metadata"]["name"])
    assert all(len(names) == 1 for names in users.values()), users


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


def test_apps_have_startup_liveness_and_readiness_probes(objects):
    for app in APPS:
        container = main_container(objects, app)
        ports = port_numbers(container)
        for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                            ("readinessProbe", "/readyz")):
            check = container[probe]["httpGet"]
            assert check["path"] == path, f"{app} {probe}"
            assert check["port"] in ports, f"{app} {probe} port"
        # Liveness must not restart a process that is only waiting for the broker or store.
        assert container["livenessProbe"]["httpGet"]["path"] != "/readyz"
    for workload in of_kind(objects, "StatefulSet"):
        for container in pod_spec(workload)["containers"]:
            assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container), \
                label(workload, container)


def test_restricted_security_context(objects):
    for workload, container in container_cases(objects):
        pod = pod_spec(workload).get("securityContext", {})
        own = container.get("securityContext", {})
        effective = {**pod, **own}
        where = label(workload, container)
        assert effective.get("runAsNonRoot") is True, where
        assert effective.get("runAsUser", 0) > 0, where
        if app_of_image(container["image"]):
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


def test_operator_pods_are_restricted_too(objects):
    """The operators build the broker's and MongoDB's pods; their overrides make them restricted."""
    for cluster in of_kind(objects, "RabbitmqCluster"):
        spec = cluster["spec"]["override"]["statefulSet"]["spec"]["template"]["spec"]
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in spec["containers"] + spec["initContainers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    for mongodb in of_kind(objects, "MongoDBCommunity"):
        spec = mongodb["spec"]["statefulSet"]["spec"]["template"]["spec"]
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for container in spec["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert container["resources"]["limits"]


def test_every_container_has_a_writable_tmp(objects):
    for workload, container in container_cases(objects):
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        assert "/tmp" in mounts, label(workload, container)
        assert "emptyDir" in volumes[mounts["/tmp"]], label(workload, container)


def test_images_are_pinned_and_each_app_runs_its_own(objects):
    for workload, container in container_cases(objects):
        repository, tag, digest = image_parts(container["image"])
        assert digest or (tag and tag != "latest" and re.search(r"\d+\.\d+\.\d+", tag)), \
            label(workload, container)
        if app_of_image(container["image"]):
            assert tag == APP_TAG, label(workload, container)
    for cluster in of_kind(objects, "RabbitmqCluster"):
        assert re.fullmatch(r"rabbitmq:\d+\.\d+\.\d+-management", cluster["spec"]["image"])
    for mongodb in of_kind(objects, "MongoDBCommunity"):
        assert re.fullmatch(r"\d+\.\d+\.\d+", mongodb["spec"]["version"])
    for app in APPS:
        for container in containers(named(objects, "Deployment", app)):
            assert app_of_image(container["image"]) == app, f"{app} / {container['name']}"


def test_manifest_commands_are_the_images_commands(objects):
    commands = dockerfile_commands()
    for app in APPS:
        assert main_container(objects, app)["command"] == commands[app], app


def test_recommended_labels(objects):
    for app in APPS:
        deployment = named(objects, "Deployment", app)
        for labels in (deployment["metadata"]["labels"], deployment["spec"]["template"]["metadata"]["labels"]):
            assert labels["app.kubernetes.io/name"] == app
            assert labels["app.kubernetes.io/component"] == ("gateway" if app == "gateway" else "service")
            assert labels["app.kubernetes.io/part-of"] == "training-platform"
            assert labels["app.kubernetes.io/version"] == image_parts(main_container(objects, app)["image"])[1]
    for obj in objects:
        if obj["kind"] not in ("Namespace",):
            labels = obj["metadata"].get("labels", {})
            assert labels.get("app.kubernetes.io/part-of") == "training-platform", \
                f"{obj['kind']} {obj['metadata']['name']}"


def test_service_selectors_match_pod_templates(objects):
    for service in of_kind(objects, "Service"):
        selector = service["spec"]["selector"]
        pods = [w for w in workloads(objects)
                if selects(selector, w["spec"]["template"]["metadata"]["labels"])]
        if not pods:
            # Only the operators' pods (RabbitmqCluster, MongoDBCommunity) are not rendered here.
            assert service["metadata"]["name"] in ("rabbitmq", "mongodb"), service["metadata"]["name"]
            continue
        for workload in pods:
            if workload["kind"] != "Job":
                assert selects(workload["spec"]["selector"]["matchLabels"],
                               workload["spec"]["template"]["metadata"]["labels"])
            named_ports, numbers = {}, set()
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


def test_services_run_their_nameko_class_with_their_own_credentials(objects):
    mongodb_operator = bool(of_kind(objects, "MongoDBCommunity"))
    for name, cls in SERVICES.items():
        spec = pod_spec(named(objects, "Deployment", name))
        (container,) = spec["containers"]
        assert container["command"] == [
            "nameko", "run", "--config", "config/nameko.yaml", f"services.{name}.service:{cls}"]
        variables = env(container)
        assert variables["OPS_ADDRESS"]["value"] == "0.0.0.0:8000"
        assert port_numbers(container)["ops"] == 8000
        assert secret_ref(container, "AMQP_URI") == {"name": f"{name}-amqp", "key": "AMQP_URI"}
        assert secret_ref(container, "MONGO_URI") == (
            {"name": f"{name}-mongodb-connection", "key": "connectionString.standard"} if mongodb_operator
            else {"name": f"{name}-mongodb", "key": "MONGO_URI"})
        assert secret_ref(container, "IDENTITY_VERIFYING_KEY")["key"] == "IDENTITY_VERIFYING_KEY"
        assert secret_ref(container, "SERVICE_IDENTITY_SECRET") == {"name": "service-identity",
                                                                     "key": "SERVICE_IDENTITY_SECRET"}
        if name == "archive":
            for key in ("ARCHIVE_MASTER_KEY", "ARCHIVE_SEARCH_KEY"):
                assert secret_ref(container, key) == {"name": "archive-keys", "key": key}
        else:
            assert not {"ARCHIVE_MASTER_KEY", "ARCHIVE_SEARCH_KEY"} & set(env(container))
        assert spec["terminationGracePeriodSeconds"] == 30
        settings = {}
        for ref in container["envFrom"]:
            if "configMapRef" in ref:
                settings.update(data(named(objects, "ConfigMap", ref["configMapRef"]["name"])))
        for key in ("LOG_LEVEL", "MAX_WORKERS", "HANDLER_ATTEMPTS", "HANDLER_BACKOFF_SECONDS",
                    "HANDLER_DELIVERY_LIMIT", "OUTBOX_RELAY_INTERVAL_SECONDS"):
            assert settings.get(key), f"{name}: {key}"
        # The topology Job declares what the service does not own; its broker user may not.
        assert settings["DECLARE_SHARED_TOPOLOGY"] == "0", name
        if name == "feedback":
            assert settings["FEEDBACK_PUBLIC_URL"].startswith("http")
        if name in ("planning", "delivery", "feedback", "resources"):  # email, SMS and IM channels, when configured
            assert {"name": f"{name}-notifications", "optional": True} in [
                ref.get("secretRef") for ref in container["envFrom"]], name


def test_no_two_apps_share_a_credential_and_only_the_gateway_holds_the_signing_key(objects):
    owners = {}
    for workload in workloads(objects):
        if workload["kind"] != "Deployment":
            continue
        for kind, name, _, _ in config_references(workload):
            if kind == "Secret":
                owners.setdefault(unhashed(name), set()).add(workload["metadata"]["name"])
    shared = {name: apps for name, apps in owners.items() if len(apps) > 1}
    # The public key is for everyone, the secret services sign their calls to each other with is
    # the services' (never the gateway's); nothing else is shared.
    assert set(shared) == {"identity-verifying-key", "service-identity"}
    assert owners["service-identity"] == set(SERVICES)
    assert owners["gateway-identity"] == {"gateway"}
    assert owners["archive-keys"] == {"archive"}


def test_gateway_runs_gunicorn_with_graceful_shutdown_and_multiprocess_metrics(objects):
    deployment = named(objects, "Deployment", "gateway")
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    assert container["command"] == ["gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]
    variables = env(container)
    assert variables["GATEWAY_BIND"]["value"] == "0.0.0.0:8080"
    assert port_numbers(container)["http"] == 8080
    assert secret_ref(container, "AMQP_URI") == {"name": "gateway-amqp", "key": "AMQP_URI"}
    assert secret_ref(container, "IDENTITY_SIGNING_KEY")["key"] == "IDENTITY_SIGNING_KEY"
    assert secret_ref(container, "GATEWAY_MONGO_URI")
    # The pod gets its preStop pause and gunicorn's whole graceful timeout before SIGKILL.
    gunicorn = runpy.run_path(str(ROOT / "gateway" / "gunicorn.conf.py"))
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pause + gunicorn["graceful_timeout"] < spec["terminationGracePeriodSeconds"]
    multiproc = variables["PROMETHEUS_MULTIPROC_DIR"]["value"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mounts[multiproc]]
    config = data(named(objects, "ConfigMap", container["envFrom"][0]["configMapRef"]["name"]))
    for key in ("RPC_TIMEOUT_SECONDS", "AUTH_MODE", "JWT_ROLES_CLAIM", "GUNICORN_WORKERS"):
        assert config.get(key), key
    assert config["DECLARE_SHARED_TOPOLOGY"] == "0"  # its RPC client binds to nameko-rpc passively


def test_apps_wait_for_the_broker_topology(objects):
    job = named(objects, "Job", "rabbitmq-topology")
    topology = json.loads((K8S / "base" / "topology" / "topology.json").read_text())
    assert set(topology["services"]) == set(SERVICES)
    job_container = pod_spec(job)["containers"][0]
    for app in APPS:
        assert secret_ref(job_container, f"{app.upper()}_AMQP_URI") == {"name": f"{app}-amqp", "key": "AMQP_URI"}
        (wait,) = pod_spec(named(objects, "Deployment", app))["initContainers"]
        assert wait["command"][:3] == ["python", "/topology/wait_for_topology.py", app]
        assert secret_ref(wait, "AMQP_URI") == secret_ref(main_container(objects, app), "AMQP_URI")
    assert secret_ref(job_container, "RABBITMQ_ADMIN_USERNAME")["name"] == "rabbitmq-default-user"
    assert env(job_container)["RABBITMQ_MANAGEMENT_URL"]["value"] == "http://rabbitmq:15672"
    # The scripts the pods run are the ones in the repository.
    config = data(generated(objects, "ConfigMap", "rabbitmq-topology"))
    for name in ("topology.json", "declare_topology.py", "wait_for_topology.py"):
        assert config[name] == (K8S / "base" / "topology" / name).read_text()


def test_config_references_resolve(objects):
    """Every referenced ConfigMap/Secret that the render contains has the referenced key."""
    rendered = {(o["kind"], o["metadata"]["name"]): data(o)
                for o in objects if o["kind"] in ("ConfigMap", "Secret")}
    for workload in workloads(objects):
        for kind, name, key, _ in config_references(workload):
            if (kind, name) in rendered and key is not None:
                assert key in rendered[(kind, name)], f"{kind} {name} has no key {key}"


# -- prod ------------------------------------------------------------------------------------

def test_prod_bundles_no_credentials_and_documents_the_secrets_it_expects(prod):
    assert not of_kind(prod, "Secret")
    expected = {}
    for workload in workloads(prod):
        for kind, name, key, optional in config_references(workload):
            if kind == "ConfigMap":
                generated(prod, "ConfigMap", name)
            elif not optional and name not in OPERATOR_SECRETS:
                expected.setdefault(name, set()).add(key)
    for user in named(prod, "MongoDBCommunity", "mongodb")["spec"]["users"]:
        expected.setdefault(user["passwordSecretRef"]["name"], set()).add(user["passwordSecretRef"]["key"])
    for tls in named(prod, "Ingress", "gateway")["spec"]["tls"]:
        expected.setdefault(tls["secretName"], set()).update({"tls.crt", "tls.key"})
    assert expected == PRODUCTION_SECRETS
    guide = (ROOT / "docs" / "deployment.md").read_text()
    for name in PRODUCTION_SECRETS:
        assert f"`{name}`" in guide, f"docs/deployment.md does not document secret {name}"


def test_prod_operator_secrets_are_the_ones_the_operators_create(prod):
    (cluster,) = of_kind(prod, "RabbitmqCluster")
    assert f"{cluster['metadata']['name']}-default-user" == "rabbitmq-default-user"
    assert cluster["metadata"]["name"] == "rabbitmq"  # the Service the apps and the Job use
    (mongodb,) = of_kind(prod, "MongoDBCommunity")
    connections = {user["connectionStringSecretName"] for user in mongodb["spec"]["users"]}
    assert connections == {f"{app}-mongodb-connection" for app in APPS}


def test_prod_runs_a_three_node_rabbitmq_cluster_with_pause_minority(prod):
    cluster = named(prod, "RabbitmqCluster", "rabbitmq")
    assert cluster["spec"]["replicas"] == 3
    settings = dict(line.split(" = ", 1) for line in cluster["spec"]["rabbitmq"]["additionalConfig"].splitlines()
                    if " = " in line and not line.startswith("#"))
    assert settings["cluster_partition_handling"] == "pause_minority"
    assert settings["prometheus.return_per_object_metrics"] == "true"
    anti = cluster["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    budget = named(prod, "PodDisruptionBudget", "rabbitmq")
    assert budget["spec"]["maxUnavailable"] == 1


def test_prod_mongodb_replica_set_has_one_database_and_user_per_app(prod):
    mongodb = named(prod, "MongoDBCommunity", "mongodb")
    assert mongodb["spec"]["members"] == 3 and mongodb["spec"]["type"] == "ReplicaSet"
    users = {user["name"]: user for user in mongodb["spec"]["users"]}
    assert set(users) == set(APPS)
    for app, user in users.items():
        database = f"training_{app}"
        assert user["db"] == database  # the connection string's path, hence the app's database
        assert user["roles"] == [{"name": "readWrite", "db": database}]
        assert user["passwordSecretRef"]["name"] == f"{app}-mongodb-password"
        variable = "GATEWAY_MONGO_URI" if app == "gateway" else "MONGO_URI"
        assert secret_ref(main_container(prod, app), variable)["name"] == user["connectionStringSecretName"]


def test_prod_runs_at_least_two_replicas_spread_over_nodes(prod):
    for deployment in of_kind(prod, "Deployment"):
        assert deployment["spec"]["replicas"] >= 2, deployment["metadata"]["name"]
        constraints = pod_spec(deployment)["topologySpreadConstraints"]
        assert constraints[0]["topologyKey"] == "kubernetes.io/hostname"
        assert selects(constraints[0]["labelSelector"]["matchLabels"],
                       deployment["spec"]["template"]["metadata"]["labels"])


def test_prod_autoscales_the_gateway_on_cpu(prod):
    (autoscaler,) = of_kind(prod, "HorizontalPodAutoscaler")
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "gateway")
    assert 2 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]
    (metric,) = autoscaler["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"


def test_queue_autoscaling_scales_each_service_on_its_own_queues():
    objects = render("prod-queue-autoscaling")
    scaled = {o["spec"]["scaleTargetRef"]["name"]: o for o in of_kind(objects, "ScaledObject")}
    assert set(scaled) == set(SERVICES)
    for service, obj in scaled.items():
        named(objects, "Deployment", service)
        assert 2 <= obj["spec"]["minReplicaCount"] < obj["spec"]["maxReplicaCount"]
        (trigger,) = obj["spec"]["triggers"]
        query = trigger["metadata"]["query"]
        pattern = re.search(r'queue=~"([^"]+)"', query).group(1).replace("\\\\", "\\")
        assert re.fullmatch(pattern, f"rpc-{service}")
        assert re.fullmatch(pattern, f"evt-planning-PlanApproved.v1--{service}.on-plan-approved")
        assert re.fullmatch(pattern, f"evt-all--{service}.deliver-webhooks")
        for other in SERVICES:
            if other != service:
                assert not re.fullmatch(pattern, f"rpc-{other}")
                assert not re.fullmatch(pattern, f"evt-{service}-X.v1--{other}.on_x")
    # KEDA owns the services' replicas there; no second autoscaler may fight it.
    targets = [a["spec"]["scaleTargetRef"]["name"] for a in of_kind(objects, "HorizontalPodAutoscaler")]
    assert not set(targets) & set(SERVICES)


def test_prod_ingress_serves_the_gateway_over_tls(prod):
    (ingress,) = of_kind(prod, "Ingress")
    (tls,) = ingress["spec"]["tls"]
    assert tls["hosts"] == ["training.example.com"] and tls["secretName"]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "training.example.com"
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    service = named(prod, "Service", backend["name"])
    assert backend["name"] == "gateway"
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_prod_gateway_verifies_oidc_tokens(prod):
    config = data(named(prod, "ConfigMap", main_container(prod, "gateway")["envFrom"][0]["configMapRef"]["name"]))
    assert config["AUTH_MODE"] == "oidc"
    assert config["OIDC_ISSUER"] and config["OIDC_AUDIENCE"]
    assert config["OIDC_JWKS_URL"].startswith("https://")


def test_prod_without_the_mongodb_operator_runs_a_three_member_replica_set():
    objects = render("prod-mongodb-replicaset")
    assert not of_kind(objects, "MongoDBCommunity")
    statefulset = named(objects, "StatefulSet", "mongodb")
    job = pod_spec(named(objects, "Job", "mongodb-replica-set"))["containers"][0]
    assert statefulset["spec"]["replicas"] == 3 == int(env(job)["MONGODB_REPLICAS"]["value"])
    for app in APPS:
        variable = "GATEWAY_MONGO_URI" if app == "gateway" else "MONGO_URI"
        assert secret_ref(main_container(objects, app), variable) == {"name": f"{app}-mongodb", "key": "MONGO_URI"}
        assert secret_ref(job, f"{app.upper()}_MONGO_URI") == {"name": f"{app}-mongodb", "key": "MONGO_URI"}
    script = data(generated(objects, "ConfigMap", "mongodb-replica-set"))["replica-set.js"]
    assert json.loads(re.search(r"for \(const app of (\[[^\]]+\])", script).group(1)) == APPS
    command = " ".join(pod_spec(statefulset)["containers"][0]["command"])
    assert f"--replSet {env(job)['MONGODB_REPLICA_SET']['value']} " in command


# -- dev -------------------------------------------------------------------------------------

def test_dev_bundles_broker_and_database_with_volumes(dev):
    for name, image in (("rabbitmq", "rabbitmq:3.13"), ("mongodb", "mongo:7.0")):
        statefulset = named(dev, "StatefulSet", name)
        assert statefulset["spec"]["replicas"] == 1
        assert pod_spec(statefulset)["containers"][0]["image"].startswith(image)
        (claim,) = statefulset["spec"]["volumeClaimTemplates"]
        mounts = {m["name"] for m in pod_spec(statefulset)["containers"][0]["volumeMounts"]}
        assert claim["metadata"]["name"] in mounts
        named(dev, "Service", name)
    for deployment in of_kind(dev, "Deployment"):
        assert deployment["spec"]["replicas"] == 1
    job = pod_spec(named(dev, "Job", "mongodb-replica-set"))["containers"][0]
    assert env(job)["MONGODB_REPLICAS"]["value"] == "1"


def test_dev_is_self_contained(dev):
    rendered = {(o["kind"], o["metadata"]["name"]) for o in dev}
    for workload in workloads(dev):
        for kind, name, _, optional in config_references(workload):
            assert optional or (kind, name) in rendered, f"{kind} {name} is not rendered"


def test_dev_credentials_are_one_per_app_and_agree_with_the_broker_and_database(dev):
    replica_set = env(pod_spec(named(dev, "Job", "mongodb-replica-set"))["containers"][0])["MONGODB_REPLICA_SET"]["value"]
    amqp = {app: urlsplit(data(generated(dev, "Secret", f"{app}-amqp"))["AMQP_URI"]) for app in APPS}
    mongo = {app: urlsplit(data(generated(dev, "Secret", f"{app}-mongodb"))["MONGO_URI"]) for app in APPS}
    passwords = [uri.password for uri in [*amqp.values(), *mongo.values()]]
    assert len(set(passwords)) == len(passwords) and all(len(p) >= 32 for p in passwords)
    for app in APPS:
        assert (amqp[app].hostname, amqp[app].port, amqp[app].path, amqp[app].username) == \
            ("rabbitmq", 5672, "/training", app)
        database = f"training_{app}"
        assert (mongo[app].hostname, mongo[app].path.lstrip("/"), mongo[app].username) == ("mongodb", database, app)
        assert parse_qs(mongo[app].query) == {"replicaSet": [replica_set], "authSource": [database]}
    admin = data(generated(dev, "Secret", "rabbitmq-default-user"))
    conf = dict(line.split(" = ") for line in admin["default_user.conf"].splitlines())
    assert conf == {"default_user": admin["username"], "default_pass": admin["password"]}
    broker = named(dev, "StatefulSet", "rabbitmq")
    (config,) = [v for v in pod_spec(broker)["volumes"] if v["name"] == "config"]
    paths = [item["path"] for source in config["projected"]["sources"]
             for item in next(iter(source.values()))["items"]]
    assert "conf.d/10-default-user.conf" in paths and "rabbitmq.conf" in paths
    settings = data(generated(dev, "ConfigMap", "rabbitmq-config"))["rabbitmq.conf"]
    assert "prometheus.return_per_object_metrics = true" in settings.splitlines()


def test_dev_identity_keys_are_a_pair_and_the_gateway_uses_local_tokens(dev):
    signing = data(generated(dev, "Secret", "gateway-identity"))["IDENTITY_SIGNING_KEY"]
    verifying = data(generated(dev, "Secret", "identity-verifying-key"))["IDENTITY_VERIFYING_KEY"]
    private = serialization.load_pem_private_key(signing.encode(), password=None)
    assert private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode() == verifying
    assert type(private).__name__.startswith("Ed25519")
    gateway = main_container(dev, "gateway")
    config = data(named(dev, "ConfigMap", gateway["envFrom"][0]["configMapRef"]["name"]))
    assert config["AUTH_MODE"] == "local"
    ref = secret_ref(gateway, "JWT_SECRET")
    assert len(data(generated(dev, "Secret", ref["name"]))[ref["key"]]) >= 32
    assert len(data(generated(dev, "Secret", "service-identity"))["SERVICE_IDENTITY_SECRET"]) >= 32
    archive = data(generated(dev, "Secret", "archive-keys"))
    for key in ("ARCHIVE_MASTER_KEY", "ARCHIVE_SEARCH_KEY"):
        assert len(base64.urlsafe_b64decode(archive[key])) == 32  # Fernet keys, as shared.identity makes them
    assert archive["ARCHIVE_MASTER_KEY"] != archive["ARCHIVE_SEARCH_KEY"]


def test_dev_secrets_are_generated_once_and_never_committed(tmp_path):
    script = K8S / "overlays" / "dev" / "generate-secrets"
    environment = dict(os.environ, PYTHON=sys.executable)
    subprocess.run([str(script), str(tmp_path)], check=True, capture_output=True, env=environment)
    first = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    subprocess.run([str(script), str(tmp_path)], check=True, capture_output=True, env=environment)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == first
    assert all(p.stat().st_mode & 0o077 == 0 for p in first)  # readable by their owner only
    ignored = subprocess.run(["git", "check-ignore", "-q", str(K8S / "overlays" / "dev" / "secrets" / "x.env")],
                             cwd=ROOT)
    assert ignored.returncode == 0
    tracked = subprocess.run(["git", "ls-files", "deploy"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "PRIVATE KEY" not in "".join((ROOT / f).read_text(errors="ignore") for f in tracked.split())


def test_working_copy_matches_the_repository():
    """The renders above come from a copy: it must hold exactly the repository's files."""
    copy = working_copy()
    skipped = {"secrets", "variants", "__pycache__"}
    ours = {p.relative_to(K8S) for p in K8S.rglob("*") if p.is_file() and not skipped & set(p.parts)}
    theirs = {p.relative_to(copy) for p in copy.rglob("*") if p.is_file() and not skipped & set(p.parts)}
    assert ours == theirs
    for path in ours:
        assert (copy / path).read_bytes() == (K8S / path).read_bytes()


def test_topology_file_is_valid_json_and_yaml_files_parse():
    json.loads((K8S / "base" / "topology" / "topology.json").read_text())
    for path in K8S.rglob("*.yaml"):
        list(yaml.safe_load_all(path.read_text()))
