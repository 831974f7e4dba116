"""Fixtures of the pipeline tests (import with `from .fixtures_pipeline import *`)."""

from __future__ import annotations

import pytest

from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from .factories_pipeline import pipeline_with_stages

__all__ = ["manager", "other_rep", "pipeline", "rep"]


@pytest.fixture
def pipeline(company):
    """New business: Qualify 10 %, Propose 40 %, Negotiate 70 %."""
    return pipeline_with_stages(company)


@pytest.fixture
def rep(company):
    return user_with_role(
        Role.SALES_REP, username="rita.rep", company=company, first_name="Rita", last_name="Rep"
    )


@pytest.fixture
def other_rep(company):
    return user_with_role(
        Role.SALES_REP,
        username="oscar.other",
        company=company,
        first_name="Oscar",
        last_name="Other",
    )


@pytest.fixture
def manager(company):
    return user_with_role(
        Role.SALES_MANAGER,
        username="mia.manager",
        company=company,
        first_name="Mia",
        last_name="Manager",
    )
