"""The Dockerfile's images, checked without a Docker engine (none runs on these machines):

* its stages: pinned base images, a dependency stage from wheels only, a runtime stage without
  pip or build tools, one final stage per app that runs as the non-root user;
* what each image holds: the build context (after .dockerignore) that its COPY lines take must
  contain every first-party module its process imports, and no tests;
* graceful shutdown: each app, run as a real process with its image's command, exits cleanly on
  SIGTERM well within the grace period its Deployment gives it.
"""
import ast
import fnmatch
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from shared.testing import SERVICE_CLASSES, ServiceProcess
from tests.platform import GatewayProcess
from tests.k8s_render import named, render

ROOT = Path(__file__).resolve().parents[1]
APPS = ["gateway", *SERVICE_CLASSES]
FIRST_PARTY = ("shared", "services", "gateway")
APP_UID = "10001"


def stages():
    """[(name, base, [instructions])] of the Dockerfile, with ARG defaults substituted."""
    arguments, found = {}, []
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        if instruction == "ARG" and not found:
            name, _, default = rest.partition("=")
            arguments[name] = default
        elif instruction == "FROM":
            base, _, name = rest.partition(" AS ")
            base = re.sub(r"\$\{(\w+)\}", lambda m: arguments[m.group(1)], base)
            found.append((name.strip(), base.strip(), []))
        else:
            found[-1][2].append((instruction, rest))
    return found


STAGES = {name: (base, instructions) for name, base, instructions in stages()}


def lineage(stage):
    """The stage and the stages it is built on, oldest first."""
    base, _ = STAGES[stage]
    return (lineage(base) if base in STAGES else []) + [stage]


def ignored(path):
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    parts = Path(path).parts
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or any(fnmatch.fnmatch(part, bare) for part in parts) \
                or any(fnmatch.fnmatch("/".join(parts[:i + 1]), pattern) for i in range(len(parts))):
            return True
    return False


def image_files(target):
    """Repository paths that the target's COPY lines (from the build context) put in the image."""
    files = set()
    for stage in lineage(target):
        for instruction, rest in STAGES[stage][1]:
            if instruction != "COPY" or rest.startswith("--from"):
                continue
            *sources, _ = rest.split()
            for source in sources:
                path = ROOT / source
                candidates = path.rglob("*") if path.is_dir() else [path]
                files.update(str(p.relative_to(ROOT)) for p in candidates if p.is_file())
    return {f for f in files if not ignored(f)}


def module_file(name):
    path = ROOT / Path(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def imports_of(path, module):
    """First-party modules a file imports (statically, or by importlib over its package)."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found, aliases = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
                aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            for alias in node.names:
                found.add(f"{base}.{alias.name}")  # a submodule, when it is one
                aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" \
                and isinstance(node.args[0], ast.Constant):
            found.add(node.args[0].value)
    source = path.read_text()
    # importlib.import_module(f"{__name__}.{...}") / (f"{pkg.__name__}.{...}"): the whole package.
    for match in re.finditer(r'import_module\(f"\{(\w+(?:\.__name__)?)\}\.', source):
        owner = match.group(1)
        whole = module if owner == "__name__" else aliases.get(owner.removesuffix(".__name__"))
        if whole:
            found.update(f"{whole}.{p.stem}" for p in (ROOT / Path(*whole.split("."))).glob("*.py"))
    return {name for name in found if name.split(".")[0] in FIRST_PARTY and module_file(name)}


def closure(*modules):
    seen, todo = set(), list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages run first
        todo += sorted(imports_of(module_file(name), name))
    return {str(module_file(name).relative_to(ROOT)) for name in seen}


def entry_modules(app):
    if app == "gateway":
        return ["gateway.app"]
    return [SERVICE_CLASSES[app].split(":")[0]]


# -- the Dockerfile --------------------------------------------------------------------------

def test_base_images_are_pinned_to_patch_releases():
    bases = {base for base, _ in STAGES.values() if base not in STAGES}
    assert bases, "no base image"
    for base in bases:
        repository, _, tag = base.partition(":")
        assert re.match(r"\d+\.\d+\.\d+-", tag), base  # e.g. 3.11.15-slim-bookworm
        assert "latest" not in tag


def test_dependencies_come_from_pinned_wheels_only():
    _, instructions = STAGES["dependencies"]
    install = " ".join(rest for instruction, rest in instructions if instruction == "RUN")
    assert "--only-binary=:all:" in install and "-c constraints.txt" in install
    assert "pip uninstall -y pip" in install


def test_runtime_has_no_installer_or_build_tools_and_runs_as_the_app_user():
    for app in APPS:
        chain = lineage(app)
        assert chain[:1] == ["runtime"] or "runtime" in chain, app
        assert "dependencies" not in chain  # the build stage is only copied from
        commands = " ".join(rest for stage in chain for instruction, rest in STAGES[stage][1] if instruction == "RUN")
        assert "apt-get" not in commands and "gcc" not in commands and "pip install" not in commands, app
        assert "pip uninstall -y pip" in commands
        users = [rest for stage in chain for instruction, rest in STAGES[stage][1] if instruction == "USER"]
        assert users and users[-1].split(":")[0] == APP_UID, app
        cmd = [rest for instruction, rest in STAGES[app][1] if instruction == "CMD"]
        assert len(cmd) == 1 and json.loads(cmd[0]), app
    copied = [rest for instruction, rest in STAGES["runtime"][1] if instruction == "COPY"]
    assert "--from=dependencies /opt/venv /opt/venv" in copied


def test_each_image_holds_what_its_process_imports_and_no_tests():
    for app in APPS:
        files = image_files(app)
        needed = closure(*entry_modules(app))
        assert needed - files == set(), f"{app} image lacks {sorted(needed - files)}"
        assert not [f for f in files if "/tests/" in f or f.startswith("tests/")], app
        if app == "gateway":
            assert "gateway/gunicorn.conf.py" in files
            assert closure("shared.logs") <= files  # gunicorn.conf.py's logging
            # Of the services, only their contracts (and the packages holding them).
            carried = {f for f in files if f.startswith("services/")}
            assert carried == {"services/__init__.py"} | {f"services/{s}/{name}" for s in SERVICE_CLASSES
                                                           for name in ("__init__.py", "contract.py")}, \
                sorted(carried)
        else:
            assert "config/nameko.yaml" in files
            config = (ROOT / "config" / "nameko.yaml").read_text()
            for dotted in set(re.findall(r"\b(shared(?:\.\w+)+)\.\w+\b", config)):
                assert closure(dotted) <= files, (app, dotted)
            others = {f"services/{s}/" for s in SERVICE_CLASSES if s != app}
            assert not [f for f in files if any(f.startswith(o) for o in others)], \
                f"the {app} image carries another service's code"


def test_the_closure_follows_imports():
    """The import walk sees through packages, relative and importlib imports."""
    planning = closure("services.planning.service")
    assert "shared/shell/base.py" in planning and "services/planning/service.py" in planning
    assert "shared/catalogue/planning.py" in closure("shared.catalogue")
    assert any(path.startswith("gateway/resources/") for path in closure("gateway.app"))


# -- graceful shutdown -----------------------------------------------------------------------

def stop_within(process, seconds):
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running {seconds} s after SIGTERM")
    return code, time.monotonic() - started


def test_apps_stop_cleanly_on_sigterm_within_their_grace_period(rabbit_config, mongo_uri, tmp_path):
    prod = render("prod")
    amqp_uri = rabbit_config["AMQP_URI"]
    processes = {service: ServiceProcess(service, amqp_uri, mongo_uri(service), tmp_path).start(wait=False)
                 for service in SERVICE_CLASSES}
    for process in processes.values():
        process.wait_ready()
    for service, process in processes.items():
        spec = named(prod, "Deployment", service)["spec"]["template"]["spec"]
        code, took = stop_within(process.process, spec["terminationGracePeriodSeconds"])
        assert code == 0, f"{service} exited with {code}:\n{process.log_tail()}"
        assert "Traceback" not in process.log_path.read_text(), process.log_tail()
    spec = named(prod, "Deployment", "gateway")["spec"]["template"]["spec"]
    pause = int(spec["containers"][0]["lifecycle"]["preStop"]["exec"]["command"][1])
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    gateway = GatewayProcess(amqp_uri, mongo_uri("gateway"), tmp_path, multiproc).start()
    assert requests.get(f"{gateway.url}/healthz", timeout=5).ok
    code, took = stop_within(gateway.process, spec["terminationGracePeriodSeconds"] - pause)
    assert code == 0, gateway.log_path.read_text()[-2000:]
    assert "Shutting down: Master" in gateway.log_path.read_text()
