"""Every rendered object validates strictly: core kinds against the Kubernetes API schemas that
kubernetes-validate ships (no unknown field anywhere), custom resources against
tests/k8s_custom_resource_schemas.yaml (written from their operators' CRDs). Offline."""
import copy
import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.k8s_render import OVERLAYS, VARIANTS, render

# The oldest Kubernetes the manifests support (matchLabelKeys, PodDisruptionBudget policy/v1,
# autoscaling/v2 are all there) and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]
CUSTOM = yaml.safe_load((Path(__file__).with_name("k8s_custom_resource_schemas.yaml")).read_text())


def custom_schema(obj):
    schema = CUSTOM["kinds"].get(f"{obj['apiVersion']}/{obj['kind']}")
    if schema is None:
        return None
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": CUSTOM["$defs"], **schema}


def custom_errors(obj):
    validator = jsonschema.Draft202012Validator(custom_schema(obj))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(obj)]


def is_custom(obj):
    return "." in obj["apiVersion"].split("/")[0] and not obj["apiVersion"].split("/")[0].endswith("k8s.io")


def core_objects():
    """{canonical JSON: (object, renders it appears in)} of every core object of every render
    (the renders share most objects; each distinct one is validated once)."""
    found = {}
    for name in [*OVERLAYS, *VARIANTS]:
        for obj in render(name):
            if not is_custom(obj):
                found.setdefault(json.dumps(obj, sort_keys=True), (obj, []))[1].append(name)
    return found


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_objects_validate_strictly_against_kubernetes(version):
    objects = core_objects()
    for obj, renders in objects.values():
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{obj['kind']} {obj['metadata']['name']} in {renders} (Kubernetes {version}): "
                        f"{error.message} at {'/'.join(map(str, error.path))}")
    rendered = {name for _, renders in objects.values() for name in renders}
    assert rendered == {*OVERLAYS, *VARIANTS} and len(objects) > 60


@pytest.mark.parametrize("name", [*OVERLAYS, *VARIANTS])
def test_custom_resources_validate_against_their_crd_schemas(name):
    for obj in render(name):
        if not is_custom(obj):
            continue
        assert custom_schema(obj) is not None, f"no schema for {obj['apiVersion']} {obj['kind']}"
        assert not custom_errors(obj), (obj["kind"], obj["metadata"]["name"], custom_errors(obj))


def test_every_custom_resource_kind_is_rendered_somewhere():
    kinds = {f"{o['apiVersion']}/{o['kind']}" for name in [*OVERLAYS, *VARIANTS] for o in render(name)}
    assert set(CUSTOM["kinds"]) <= kinds


def test_the_validators_reject_what_they_should():
    """A misspelt or misplaced field fails both checks (so the passes above mean something)."""
    deployment = next(o for o in render("prod") if o["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)
    cluster = next(o for o in render("prod") if o["kind"] == "RabbitmqCluster")
    for path, value in ((("spec", "replica"), 3), (("spec", "rabbitmq", "additionalconfig"), "x"),
                        (("spec", "service", "type"), "Internal")):
        broken = copy.deepcopy(cluster)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert custom_errors(broken), path
    rule = next(o for o in render("prod") if o["kind"] == "PrometheusRule")
    broken = copy.deepcopy(rule)
    broken["spec"]["groups"][0]["rules"][0]["for"] = "two minutes"
    assert custom_errors(broken)
    mongodb = next(o for o in render("prod") if o["kind"] == "MongoDBCommunity")
    broken = copy.deepcopy(mongodb)
    broken["spec"]["users"][0]["role"] = broken["spec"]["users"][0].pop("roles")
    assert custom_errors(broken)
