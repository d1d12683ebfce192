"""The network policies of the prod renders allow exactly what each component needs.

A small evaluator of Kubernetes NetworkPolicy semantics (pod and namespace selectors, ports and
port ranges, policy types; a connection needs the source's egress and the destination's ingress)
is run over the rendered pods, the pods the operators create, and peers outside the namespace.
"""
import pytest

from tests.k8s_render import of_kind, render

NAMESPACE = "training"
SERVICES = ["planning", "delivery", "assessment", "feedback", "resources", "archive", "webhooks"]
# Services that send email (SMTP) and SMS/IM webhooks (HTTPS) to people.
NOTIFYING = ["planning", "delivery", "feedback", "resources"]


class Pod:
    def __init__(self, name, labels, namespace=NAMESPACE, external=False):
        self.name, self.labels, self.namespace, self.external = name, labels, namespace, external

    def __repr__(self):
        return self.name


def pods_of(objects):
    pods = {}
    for workload in objects:
        if workload["kind"] in ("Deployment", "StatefulSet", "Job"):
            name = workload["metadata"]["name"]
            pods[name] = Pod(name, workload["spec"]["template"]["metadata"]["labels"])
    # Pods the operators create, with the labels they give them.
    if of_kind(objects, "RabbitmqCluster"):
        pods["rabbitmq"] = Pod("rabbitmq", {"app.kubernetes.io/name": "rabbitmq",
                                            "app.kubernetes.io/component": "rabbitmq",
                                            "app.kubernetes.io/part-of": "rabbitmq"})
    for mongodb in of_kind(objects, "MongoDBCommunity"):
        pods["mongodb"] = Pod("mongodb", mongodb["spec"]["statefulSet"]["spec"]["template"]["metadata"]["labels"])
    pods.update({
        "prometheus": Pod("prometheus", {"app.kubernetes.io/name": "prometheus"}, "monitoring"),
        "ingress-controller": Pod("ingress-controller", {"app.kubernetes.io/name": "ingress-nginx"}, "ingress-nginx"),
        "kube-dns": Pod("kube-dns", {"k8s-app": "kube-dns"}, "kube-system"),
        "cluster-operator": Pod("cluster-operator", {"app.kubernetes.io/name": "rabbitmq-cluster-operator"},
                                "rabbitmq-system"),
        "other-namespace": Pod("other-namespace", {"app.kubernetes.io/name": "gateway"}, "elsewhere"),
        "internet": Pod("internet", {}, None, external=True),
    })
    return pods


def matches_selector(selector, labels):
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        present = expression["key"] in labels
        value = labels.get(expression["key"])
        operator = expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and not present or operator == "DoesNotExist" and present:
            return False
    return True


def peer_matches(peer, pod, policy_namespace):
    if pod.external:
        return "ipBlock" in peer  # no ipBlock is used: outside addresses only through empty `to`
    if "namespaceSelector" in peer:
        namespace_labels = {"kubernetes.io/metadata.name": pod.namespace}
        if not matches_selector(peer["namespaceSelector"], namespace_labels):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return matches_selector(peer.get("podSelector", {}), pod.labels)


def port_matches(ports, port, protocol):
    if not ports:
        return True
    for item in ports:
        if item.get("protocol", "TCP") != protocol:
            continue
        low = item.get("port")
        if low is None or low == port or (item.get("endPort") and low <= port <= item["endPort"]):
            return True
    return False


def direction_allows(policies, pod, direction, other, port, protocol):
    kind = "Ingress" if direction == "ingress" else "Egress"
    selecting = [p for p in policies if kind in p["spec"].get("policyTypes", ["Ingress"])
                 and matches_selector(p["spec"]["podSelector"], pod.labels)]
    if not selecting:
        return True
    peers_key = "from" if direction == "ingress" else "to"
    for policy in selecting:
        for rule in policy["spec"].get(direction, []):
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(p, other, NAMESPACE) for p in peers)) and \
                    port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def allowed(policies, source, destination, port, protocol="TCP"):
    if source.namespace == NAMESPACE and not direction_allows(policies, source, "egress", destination, port, protocol):
        return False
    if destination.namespace == NAMESPACE and \
            not direction_allows(policies, destination, "ingress", source, port, protocol):
        return False
    return True


def needed(pods):
    """(source, destination, port, protocol) that the platform needs."""
    needs = []
    apps = ["gateway", *SERVICES]
    for app in apps:
        needs += [(app, "rabbitmq", 5672, "TCP"), (app, "mongodb", 27017, "TCP"),
                  (app, "kube-dns", 53, "UDP"), (app, "kube-dns", 53, "TCP"),
                  ("prometheus", app, 8080 if app == "gateway" else 8000, "TCP")]
    needs += [("gateway", "internet", 443, "TCP"), ("ingress-controller", "gateway", 8080, "TCP")]
    needs += [(service, "internet", port, "TCP") for service in NOTIFYING for port in (25, 465, 587, 443)]
    needs += [("webhooks", "internet", 443, "TCP")]
    needs += [("rabbitmq-topology", "rabbitmq", 15672, "TCP"), ("rabbitmq-topology", "kube-dns", 53, "UDP"),
              ("prometheus", "rabbitmq", 15692, "TCP"), ("cluster-operator", "rabbitmq", 15672, "TCP"),
              ("rabbitmq", "rabbitmq", 25672, "TCP"), ("rabbitmq", "rabbitmq", 4369, "TCP"),
              ("rabbitmq", "rabbitmq", 35680, "TCP"), ("rabbitmq", "internet", 443, "TCP"),
              ("mongodb", "mongodb", 27017, "TCP")]
    if "mongodb-replica-set" in pods:
        needs += [("mongodb-replica-set", "mongodb", 27017, "TCP")]
    return needs


def forbidden(pods):
    """Connections nothing needs, which the policies must refuse."""
    refused = []
    for service in SERVICES:
        refused += [("gateway", service, 8000, "TCP"), ("ingress-controller", service, 8000, "TCP"),
                    ("other-namespace", service, 8000, "TCP"), (service, "rabbitmq", 15672, "TCP")]
        refused += [(service, other, 8000, "TCP") for other in SERVICES if other != service]
        if service not in NOTIFYING:
            refused += [(service, "internet", 25, "TCP")]
            if service != "webhooks":
                refused += [(service, "internet", 443, "TCP")]
    refused += [("webhooks", "internet", 80, "TCP"), ("webhooks", "internet", 8443, "TCP")]
    refused += [("other-namespace", "gateway", 8080, "TCP"), ("internet", "gateway", 8080, "TCP"),
                ("gateway", "rabbitmq", 15672, "TCP"), ("gateway", "internet", 25, "TCP"),
                ("ingress-controller", "rabbitmq", 15672, "TCP"), ("ingress-controller", "mongodb", 27017, "TCP"),
                ("prometheus", "mongodb", 27017, "TCP"), ("other-namespace", "rabbitmq", 5672, "TCP"),
                ("other-namespace", "mongodb", 27017, "TCP"), ("rabbitmq-topology", "mongodb", 27017, "TCP"),
                ("rabbitmq-topology", "internet", 443, "TCP"), ("mongodb", "internet", 443, "TCP"),
                ("mongodb", "rabbitmq", 5672, "TCP"), ("rabbitmq", "mongodb", 27017, "TCP"),
                ("planning", "gateway", 8080, "TCP"), ("gateway", "kube-dns", 5353, "UDP")]
    if "mongodb-replica-set" in pods:
        refused += [("mongodb-replica-set", "rabbitmq", 5672, "TCP"), ("mongodb-replica-set", "internet", 443, "TCP")]
    return refused


@pytest.fixture(params=["prod", "prod-mongodb-replicaset"], scope="module")
def platform(request):
    objects = render(request.param)
    return of_kind(objects, "NetworkPolicy"), pods_of(objects)


def test_everything_is_denied_by_default(platform):
    policies, _ = platform
    (deny,) = [p for p in policies if p["metadata"]["name"] == "default-deny"]
    assert deny["spec"]["podSelector"] == {} and set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert not deny["spec"].get("ingress") and not deny["spec"].get("egress")


def test_what_each_component_needs_is_allowed(platform):
    policies, pods = platform
    refused = [need for need in needed(pods)
               if not allowed(policies, pods[need[0]], pods[need[1]], need[2], need[3])]
    assert not refused


def test_everything_else_is_refused(platform):
    policies, pods = platform
    let_through = [case for case in forbidden(pods)
                   if allowed(policies, pods[case[0]], pods[case[1]], case[2], case[3])]
    assert not let_through


def test_every_pod_is_covered_by_a_policy_in_both_directions(platform):
    policies, pods = platform
    for pod in pods.values():
        if pod.namespace != NAMESPACE:
            continue
        for kind in ("Ingress", "Egress"):
            assert any(kind in p["spec"]["policyTypes"] and matches_selector(p["spec"]["podSelector"], pod.labels)
                       for p in policies), (pod, kind)


def test_the_evaluator_sees_through_a_missing_default_deny(platform):
    """Without the default deny (and with nothing else selecting them), pods are open again."""
    policies, pods = platform
    others = [p for p in policies if p["metadata"]["name"] != "default-deny"]
    assert allowed(others, pods["other-namespace"], pods["rabbitmq-topology"], 1234)
    assert not allowed(policies, pods["other-namespace"], pods["rabbitmq-topology"], 1234)
