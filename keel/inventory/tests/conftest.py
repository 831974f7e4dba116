"""Fixtures of the inventory tests."""

import pytest

from .factories import product, warehouse


@pytest.fixture
def wh(company):
    """The company's main warehouse WH with its WH/Stock, and the virtual locations."""
    return warehouse(company)


@pytest.fixture
def widget(company):
    return product(company, name="Widget", sku="WID")
