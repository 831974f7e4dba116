"""Fixtures of the purchasing tests: books, a warehouse, vendors, goods, people."""

import pytest

from keel.accounting.tests.factories import books as setup_books
from keel.inventory.tests.factories import product, warehouse
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from .factories import vendor


@pytest.fixture
def books(company):
    return setup_books(company)


@pytest.fixture
def wh(company):
    return warehouse(company)


@pytest.fixture
def bracket(company):
    return product(company, name="Steel bracket", sku="BRK")


@pytest.fixture
def hinge(company):
    return product(company, name="Door hinge", sku="HNG")


@pytest.fixture
def vendors(company):
    """Three suppliers, keyed by a short name."""
    return {
        "acme": vendor(company, "Acme Metals"),
        "bolt": vendor(company, "Bolt & Co"),
        "cast": vendor(company, "Cast Iron Ltd"),
    }


@pytest.fixture
def buyer(company):
    return user_with_role(Role.BUYER, company=company)


@pytest.fixture
def other_buyer(company):
    return user_with_role(Role.BUYER, "buyer.two", company=company)


@pytest.fixture
def manager(company):
    """Approves purchase orders above the threshold (the default approver role)."""
    return user_with_role(Role.ADMINISTRATOR, company=company)


@pytest.fixture
def accountant(company):
    return user_with_role(Role.ACCOUNTANT, company=company)


@pytest.fixture
def employee(company):
    return user_with_role(Role.EMPLOYEE, company=company)
