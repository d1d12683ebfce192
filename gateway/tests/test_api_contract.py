"""The API contract: the committed OpenAPI document is what the gateway serves, and no
operation a client may rely on disappears without a deliberate change of that file."""
import json

from gateway.openapi import SNAPSHOT, current_spec, dumps, removed_operations

CURRENT = current_spec()


def test_committed_openapi_document_matches_the_gateway():
    assert SNAPSHOT.read_text() == dumps(CURRENT), "run python -m gateway.openapi --write and review the diff"


def test_no_published_operation_has_disappeared():
    assert removed_operations(json.loads(SNAPSHOT.read_text()), CURRENT) == []


def test_removed_operations_are_detected():
    published = {"paths": {"/api/v1/plans": {"get": {}, "post": {}}, "/api/v1/old": {"get": {}}}}
    current = {"paths": {"/api/v1/plans": {"get": {}}}}
    assert removed_operations(published, current) == ["GET /api/v1/old", "POST /api/v1/plans"]


def test_every_operation_documents_its_security_and_success_response():
    for path, operations in CURRENT["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # path-level parameters, not an operation
                continue
            successes = [status for status in operation["responses"] if status.startswith("2")]
            assert successes, f"{method.upper()} {path} documents no success response"
    assert CURRENT["security"] == [{"bearerAuth": []}]
