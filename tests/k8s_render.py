"""Render deploy/k8s offline with kustomize, for the manifest, schema and monitoring tests.

No cluster is needed, only a `kustomize` binary: $KUSTOMIZE, else var/bin/kustomize, else PATH.
The dev overlay reads credentials that deploy/k8s/overlays/dev/generate-secrets writes (they are
never committed), so it is rendered from a copy of deploy/k8s with freshly generated secrets.
"""
import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZE_INSTALL = "GOBIN=$PWD/var/bin go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1"
OVERLAYS = ["dev", "prod"]
# Renders that production may use besides the prod overlay itself: prod with the StatefulSet
# replica set (clusters without the MongoDB operator) and with queue-depth autoscaling (KEDA).
VARIANTS = {
    "prod-mongodb-replicaset": ("prod", {"remove": ["mongodb-operator"], "add": ["mongodb-replicaset"]}),
    "prod-queue-autoscaling": ("prod", {"remove": [], "add": ["queue-autoscaling"]}),
}


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


def kustomize_build(directory):
    result = subprocess.run([kustomize_binary(), "build", str(directory)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"kustomize build {directory} failed:\n{result.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@functools.lru_cache(maxsize=None)
def working_copy():
    """deploy/k8s copied to a temporary folder, with the dev overlay's secrets generated."""
    folder = Path(tempfile.mkdtemp(prefix="training-k8s-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy = folder / "k8s"
    shutil.copytree(K8S, copy, ignore=shutil.ignore_patterns("secrets", "__pycache__"))
    subprocess.run([str(copy / "overlays" / "dev" / "generate-secrets")], check=True,
                   capture_output=True, timeout=60, env=dict(os.environ, PYTHON=sys.executable))
    return copy


def variant_directory(name):
    overlay, change = VARIANTS[name]
    base = working_copy() / "overlays" / overlay
    folder = working_copy() / "variants" / name
    folder.mkdir(parents=True, exist_ok=True)
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    components = [c for c in kustomization["components"]
                  if Path(c).name not in change["remove"]]
    components += [f"../../components/{c}" for c in change["add"]]
    # Everything else stays as the overlay has it; paths are relative to the overlay folder,
    # which sits at the same depth.
    for item in ("namespace.yaml", "ingress.yaml", "spread-replicas.yaml"):
        if (base / item).exists():
            shutil.copy(base / item, folder / item)
    kustomization["components"] = components
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    return folder


@functools.lru_cache(maxsize=None)
def render(name):
    """The objects of an overlay (dev, prod) or a variant (VARIANTS) as kustomize renders them."""
    if name in VARIANTS:
        return kustomize_build(variant_directory(name))
    return kustomize_build(working_copy() / "overlays" / name)


def of_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def named(objects, kind, name):
    found = [o for o in of_kind(objects, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]
