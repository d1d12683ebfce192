"""The import rules that keep services apart and domain code free of the service shell
(DESIGN.md §6), read from every module's imports:

  * no service imports another service;
  * nameko (and eventlet) only in services' service.py files, the kit's shell (shared/shell),
    and test code;
  * the kit imports no service and not the gateway;
  * the gateway imports a service only through its contract.py;
  * a contract imports nothing but marshmallow, the kit and the standard library.
"""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "services", "gateway", "scripts", "tests")
SHELL_LIBRARIES = ("nameko", "eventlet")


def python_files():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))
    yield ROOT / "conftest.py"


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def is_test_code(relative):
    return relative.parts[0] == "tests" or "tests" in relative.parts or relative.name == "conftest.py" \
        or relative == Path("shared/testing.py")


def top(module):
    return module.split(".")[0]


def violations(path):
    relative = path.relative_to(ROOT)
    found = []
    for module in imported_modules(path):
        parts = module.split(".")
        if relative.parts[0] == "services" and parts[0] == "services" and len(parts) > 1 \
                and parts[1] != relative.parts[1]:
            found.append(f"imports another service: {module}")
        if top(module) in SHELL_LIBRARIES and not is_test_code(relative) and relative.name != "service.py" \
                and relative.parts[:2] != ("shared", "shell"):
            found.append(f"imports {top(module)} outside a service.py, the kit's shell or tests: {module}")
        if relative.parts[0] == "shared" and not is_test_code(relative) and top(module) in ("services", "gateway"):
            found.append(f"the kit imports {module}")
        if relative.parts[0] == "gateway" and parts[0] == "services" and (len(parts) != 3 or parts[2] != "contract"):
            found.append(f"the gateway imports a service other than through its contract: {module}")
        if relative.name == "contract.py" and relative.parts[0] == "services" \
                and top(module) not in ("marshmallow", "shared") and top(module) not in sys.stdlib_module_names:
            found.append(f"a contract imports {module}")
        if relative.name == "contract.py" and relative.parts[0] == "services" and module.startswith("shared.shell"):
            found.append(f"a contract imports the service shell: {module}")
    return found


@pytest.mark.parametrize("path", list(python_files()), ids=lambda path: str(path.relative_to(ROOT)))
def test_module_follows_the_import_rules(path):
    assert violations(path) == []


def test_every_service_has_the_same_layout():
    for service in sorted(path for path in (ROOT / "services").iterdir() if (path / "service.py").exists()):
        present = {path.name for path in service.iterdir()}
        assert {"service.py", "contract.py", "store.py", "tests"} <= present, service.name


@pytest.mark.parametrize("source, imports, rule", [
    ("services/delivery/enrolment.py", "services.archive.contract", "imports another service"),
    ("services/delivery/enrolment.py", "nameko.rpc", "imports nameko outside"),
    ("shared/outbox.py", "gateway.app", "the kit imports"),
    ("gateway/resources/plans.py", "services.planning.plans", "the gateway imports a service other than"),
    ("services/planning/contract.py", "pymongo", "a contract imports pymongo"),
])
def test_the_rules_catch_what_they_forbid(tmp_path, monkeypatch, source, imports, rule):
    fake_root = tmp_path
    module = fake_root / source
    module.parent.mkdir(parents=True)
    module.write_text(f"import {imports}\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    assert any(rule in problem for problem in violations(module))
