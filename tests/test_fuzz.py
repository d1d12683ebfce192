"""Fuzzing the gateway with schemathesis against its own OpenAPI document, on the running
platform (every service, a real broker and store): generated requests to every operation, valid
and invalid, as two learners. No answer may be a server error; every answer must match the
document (status, content type, headers, body); and one learner never reads the other's data.

A bounded number of examples per operation (FUZZ_EXAMPLES, default 8) keeps the run to a few
minutes; raise it for a deeper search.
"""
import os

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_headers_conformance, response_schema_conformance,
                                               status_code_conformance)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
LEARNERS = ("fuzz-ada-7c1e", "fuzz-bob-3e9a")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]


@pytest.fixture(scope="module")
def seeded(platform):
    """Each learner has an archive of their own, so there is something to read (or leak)."""
    for learner in LEARNERS:
        response = requests.post(f"{platform.url}/api/v1/learners", headers=platform.auth("specialist", "sam"),
                                 timeout=10, json={"learner_id": learner, "first_name": learner.split("-")[1].title(),
                                                   "last_name": "Fuzz", "email": f"{learner}@example.com",
                                                   "organisation": "Fuzz Ltd", "user_type": "customer"})
        assert response.status_code == 201, response.text
    return platform


def test_no_server_error_every_answer_as_documented_and_no_cross_learner_read(seeded):
    schema = schemathesis.openapi.from_url(f"{seeded.url}/api/openapi.json")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, seeded)
            except Unsatisfiable:
                pass  # nothing invalid can be made for this operation (e.g. a free-text path parameter)
            except (Exception, BaseExceptionGroup) as failure:  # every operation runs; failures reported together
                failures.append(f"{operation.label} ({mode.value}): {describe(failure)}")
    assert not failures, "\n".join(failures)


def describe(failure):
    return " | ".join(line.strip() for line in str(failure).splitlines() if line.strip())[:1200]


def fuzz(operation, mode, platform):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(mode))
    def requests_as_two_learners(case):
        learner, other = LEARNERS if hash(case.formatted_path) % 2 else LEARNERS[::-1]
        response = case.call_and_validate(base_url=platform.url, headers=platform.auth("learner", learner),
                                          checks=CHECKS)
        if case.method == "GET" and response.status_code == 200:
            assert other not in response.text, f"{learner} read {other}'s data at {case.formatted_path}"

    requests_as_two_learners()
