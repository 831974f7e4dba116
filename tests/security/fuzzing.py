"""Schemathesis against Keel's OpenAPI schema, in process through the WSGI app, as one
signed-in user at a time: every answer must be no 5xx and must match the schema (status
code documented, content type and body as described).

Used by the bounded test (tests/security/test_api_fuzz.py) and the soak's full run
(bench/soak/fuzz.py)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import hypothesis
import hypothesis.strategies as st
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_PATH = "/api/schema/"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Path ids the world's records have: half the cases open a record that exists.
KNOWN_IDS = (1, 2, 3)


@dataclass
class RoleFigures:
    """What one role's run saw."""

    role: str
    operations: int = 0
    cases: int = 0
    server_errors: int = 0
    violations: int = 0
    statuses: Counter = field(default_factory=Counter)
    # (operation, check title) -> first message seen
    findings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "operations": self.operations,
            "cases": self.cases,
            "5xx": self.server_errors,
            "violations": self.violations,
        }


@contextmanager
def one_connection():
    """Requests served in process share the caller's database connection (a test's
    transaction stays open), as Django's test client arranges: the app would otherwise
    close it at the start and end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema():
    """The schema as the running app serves it, bound to the app for in-process calls."""
    with one_connection():
        return schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())


def operations(schema, only: set[str] | None = None) -> list:
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if only is None or operation.label in only:
            found.append(operation)
    return found


def _cases(operation, negative: bool = False):
    """Generated cases, and as many with a path id of a record that exists; with
    `negative`, also cases that break the schema (wrong types, missing fields)."""
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if negative else [None]
    strategies = []
    for mode in modes:
        kwargs = {"generation_mode": mode} if mode else {}
        strategies.append(operation.as_strategy(**kwargs))
        if "{id}" in operation.path:
            strategies.append(
                st.sampled_from(KNOWN_IDS).flatmap(
                    lambda pk, kw=kwargs: operation.as_strategy(path_parameters={"id": pk}, **kw)
                )
            )
    return st.one_of(*strategies)


def fuzz_as(
    user, schema, examples: int, ops: list | None = None, seed: int | None = 0, negative=False
) -> RoleFigures:
    """Run `examples` generated cases of every operation as `user` (token auth)."""
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    figures = RoleFigures(role=user.username)
    with one_connection():
        for operation in ops if ops is not None else operations(schema):
            figures.operations += 1
            _fuzz_operation(operation, headers, examples, seed, figures, negative)
    return figures


def _fuzz_operation(operation, headers, examples, seed, figures: RoleFigures, negative) -> None:
    def one_case(case):
        figures.cases += 1
        response = case.call(headers=headers)
        figures.statuses[response.status_code] += 1
        if response.status_code >= 500:
            figures.server_errors += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except* Failure as group:
            for failure in group.exceptions:
                if response.status_code < 500:
                    figures.violations += 1
                key = (operation.label, failure.title, response.status_code)
                figures.findings.setdefault(key, f"{failure.message}\n{case.as_curl_command()}")

    test = hypothesis.given(case=_cases(operation, negative))(one_case)
    test = hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )(test)
    test()


def report(figures: RoleFigures, limit: int = 40) -> str:
    lines = [
        f"{figures.role}: {figures.operations} operations, {figures.cases} cases, "
        f"{figures.server_errors} 5xx, {figures.violations} schema violations "
        f"(statuses {dict(sorted(figures.statuses.items()))})"
    ]
    for (label, title, status), message in list(figures.findings.items())[:limit]:
        lines.append(f"  - {label} [{status}] {title}: {message[:600]}")
    return "\n".join(lines)


class SignedInClient:
    """A WSGI client of the app sending a user's API token, as a real client would."""

    def __init__(self, user):
        from werkzeug.test import Client

        token, _ = Token.objects.get_or_create(user=user)
        self.auth = {"Authorization": f"Token {token.key}"}
        self.client = Client(get_wsgi_application())

    def open(self, url: str, method: str = "GET", **kwargs):
        kwargs["headers"] = {**self.auth, **kwargs.get("headers", {})}
        return self.client.open(url, method=method, **kwargs)

    def get(self, url: str, **kwargs):
        return self.open(url, "GET", **kwargs)


def signed_in_client(user) -> SignedInClient:
    return SignedInClient(user)


def assert_conforms(schema, method: str, path: str, response) -> None:
    """The answer matches what the schema documents for the operation (status code,
    content type, body); schemathesis raises a FailureGroup saying where otherwise."""
    schema[path][method].validate_response(response)
