"""Property: whatever receipts (at any cost), deliveries, customer returns and counts
happen, to FIFO and average-cost products, the stock valuation equals the stock
account's balance and the sum of all layers, and the quantity valued equals on hand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from keel.accounting.tests.factories import books
from keel.core.errors import DomainError
from keel.core.tests.factories import CompanyFactory
from keel.products.tests.factories import ProductCategoryFactory

from ..models import Location, ProductCost, StockLevel
from ..selectors import check_valuation
from ..services import counts, locations, transfers, validation
from .factories import delivery, product, receive, warehouse

D = Decimal
DAY = dt.date(2026, 5, 4)
quantities = st.integers(min_value=1, max_value=9).map(D)
costs = st.integers(min_value=1, max_value=2000).map(lambda cents: D(cents) / 100)
step = st.one_of(
    st.tuples(st.just("receipt"), st.integers(0, 1), quantities, costs),
    st.tuples(st.just("deliver"), st.integers(0, 1), quantities, costs),
    st.tuples(st.just("return"), st.integers(0, 1), quantities, costs),
    st.tuples(st.just("count"), st.integers(0, 1), st.integers(0, 12).map(D), costs),
)


class ValuationProperties(TestCase):
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(step, min_size=1, max_size=10))
    def test_valuation_always_equals_the_stock_account(self, steps):
        company = CompanyFactory(name="Valued Co")
        books(company)
        wh = warehouse(company)
        stock = wh.stock_location
        fifo = ProductCategoryFactory(company=company, name="FIFO", costing_method="fifo")
        items = [
            product(company, name="Bolt", sku="BOLT", category=fifo),
            product(company, name="Nut", sku="NUT"),
        ]
        customers = locations.virtual_location(company, Location.Usage.CUSTOMER)
        for kind, which, quantity, cost in steps:
            item = items[which]
            try:
                if kind == "receipt":
                    receive(wh, item, quantity, unit_cost=str(cost), on_date=DAY)
                elif kind == "return":
                    receive(wh, item, quantity, source=customers, on_date=DAY)
                elif kind == "deliver":
                    out = delivery(wh, item, quantity, on_date=DAY)
                    transfers.confirm(out.pk)
                    transfers.reserve(out.pk)
                    validation.validate(out.pk, on_date=DAY)
                else:
                    count = counts.start_count(company, location=stock, on_date=DAY)
                    counts.record_counts(count.pk, lines=[{"product": item, "counted": quantity}])
                    counts.validate_count(count.pk)
            except DomainError:
                pass  # nothing to reserve, say: refused as a whole
        check = check_valuation(company.pk)
        assert check.sound, check
        on_hand = defaultdict(Decimal)
        for level in StockLevel.objects.filter(company=company, location__usage="internal"):
            on_hand[level.product_id] += level.on_hand
        for cost in ProductCost.objects.filter(company=company):
            assert cost.quantity == on_hand[cost.product_id]
