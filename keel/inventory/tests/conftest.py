"""Fixtures of the inventory tests."""

import datetime as dt

import pytest

from keel.accounting.tests.factories import books
from keel.products.models import ProductCategory
from keel.products.tests.factories import ProductCategoryFactory

from .factories import deliver, product, receive, warehouse

MAY_4, MAY_5, MAY_6 = (dt.date(2026, 5, day) for day in (4, 5, 6))


@pytest.fixture
def wh(company):
    """The company's main warehouse WH with its WH/Stock, and the virtual locations."""
    return warehouse(company)


@pytest.fixture
def widget(company):
    return product(company, name="Widget", sku="WID")


@pytest.fixture
def stocked(company, wh):
    """Books; a FIFO bearing received 5 @ 10.00 and 5 @ 12.00, 7 delivered (3 left
    at 12.00 = 36.00); an average-cost gear received 4 @ 2.50 (10.00)."""
    journals = books(company)
    fifo = ProductCategoryFactory(
        company=company, name="Spares", costing_method=ProductCategory.CostingMethod.FIFO
    )
    bearing = product(company, name="Bearing", sku="BRG", category=fifo)
    gear = product(company, name="Gear", sku="GEAR")
    receive(wh, bearing, 5, unit_cost="10.00", on_date=MAY_4)
    receive(wh, bearing, 5, unit_cost="12.00", on_date=MAY_5)
    deliver(wh, bearing, 7, on_date=MAY_6)
    receive(wh, gear, 4, unit_cost="2.50", on_date=MAY_6)
    return journals
