"""schemathesis against the lead API's own OpenAPI document (GET /api/v1/openapi.json).

The schema is loaded from the app itself (its WSGI handler, in the test's database
transaction); every generated request is sent with a valid bearer key. Checks: never a
server error, and every answer conforms to the documented status codes, content type and
response schema. A bounded number of examples (schemathesis 4.x API).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from leads.api import api_key_create
from tests.factories import StoreFactory, UserFactory
from tests.hostile import harness

pytestmark = [
    pytest.mark.hostile, pytest.mark.django_db,
    pytest.mark.allow_full_pii("the lead API echoes the caller's own input in its errors"),
]

EXAMPLES = int(os.environ.get("HOSTILE_OPENAPI_EXAMPLES", "100"))


@pytest.fixture
def api_schema(db, settings):
    # schemathesis' WSGI client calls the app as http://localhost.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "testserver"]
    # As Django's test client does: a request's end must not close the connection that
    # holds the test's transaction (it would on PostgreSQL, with CONN_MAX_AGE).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db) -> dict[str, str]:
    store = StoreFactory(code="DEMO", name="示范店")
    UserFactory(username="con", role="consultant", store=store)
    # The key's channel is the one the schema's enum lists first or any other: a mismatch is
    # a documented 400, which is what the conformance checks are for.
    _row, key = api_key_create(store=store, channel="website", rate_limit_per_minute=100_000)
    return {"Authorization": f"Bearer {key}"}


# schemathesis.pytest.from_fixture() breaks on pytest 9 (it sets Function._nodeid), so the
# operation's Hypothesis strategy is driven directly: the same cases, the same checks.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def test_lead_api_conforms_to_its_openapi_document(api_schema, bearer):
    operation = api_schema["/leads"]["POST"]
    statuses: set[int] = set()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much])
    @given(case=operation.as_strategy(), plausible=st.booleans(),
           number=st.integers(0, 10**8 - 1))
    def run(case, plausible, number):
        # The document cannot say which phones are mobile numbers, nor which channel the
        # key was issued for: half the cases get both right, to reach the capture too.
        if plausible and isinstance(case.body, dict):
            case.body["phone"] = f"139{number:08d}"
            case.body["channel"] = "website"
        with harness.rolled_back():
            statuses.add(case.call_and_validate(headers=bearer, checks=CHECKS).status_code)

    run()
    # The generated bodies reached both the capture and the validation errors.
    assert {201, 400} <= statuses, statuses


def test_openapi_document_lists_the_lead_intake(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]

    assert [(op.method.upper(), op.path) for op in operations] == [("POST", "/leads")]
