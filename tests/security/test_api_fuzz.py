"""Bounded API fuzzing for `make test`: schemathesis sends generated requests to every
operation of the OpenAPI schema, in process, as a Sales Manager (the widest business
role below Administrator) in the access matrix's company; no answer may be a 5xx or
differ from the schema. The soak runs every role with more examples
(bench/soak/fuzz.py)."""

from __future__ import annotations

import pytest

from keel.users.roles import Role

from .fuzzing import fuzz_as, load_schema, operations, report
from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company, users):
    return build_world(company, users)


def test_every_operation_answers_without_5xx_and_as_documented(world):
    """Given the company of the access matrix (a rep's and a colleague's records,
    books, stock)
    When a Sales Manager sends one generated request to each of the schema's operations
    Then none answers 5xx and every answer matches the schema."""
    schema = load_schema()
    ops = operations(schema)
    figures = fuzz_as(world.users[Role.SALES_MANAGER], schema, examples=1, ops=ops)
    print("\n" + report(figures))
    assert figures.operations == len(ops) > 300
    assert figures.cases >= figures.operations
    assert (figures.server_errors, figures.violations) == (0, 0), report(figures)
