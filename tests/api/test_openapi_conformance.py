"""schemathesis checks every operation of the OpenAPI document against the running app."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 12  # per operation and mode: enough to find a 500, fast enough for every run


@pytest.fixture
def app_config(app_config):
    app_config["API_RATE_LIMIT"] = "100000 per minute"
    return app_config


def _check(operation, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case):
        case.call_and_validate(checks=CHECKS)

    run()


# The pytest plugin of schemathesis 4.32 does not run under pytest 9 yet (it reads
# Function._nodeid); its strategies under plain Hypothesis do the same work.
def test_every_operation_conforms_to_the_document(app, open_data):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12
    for operation in operations:
        _check(operation, GenerationMode.POSITIVE)
        try:
            _check(operation, GenerationMode.NEGATIVE)
        except Unsatisfiable:
            # Nothing is invalid about a free-form path segment (a process by number or slug).
            assert operation.path == "/processes/{id}", operation.label
