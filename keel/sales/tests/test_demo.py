"""The sales demo: a slice of its year through the services, in every state, with the
books balanced, stock matching its moves and each order's status matching its
deliveries, invoices and payments; the same on every load."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from keel.accounting.selectors.reports import trial_balance
from keel.crm.models import Opportunity
from keel.crm.services.opportunities import create_opportunity
from keel.inventory.selectors import level_differences
from keel.inventory.tests.factories import product, receive
from keel.users.roles import Role

from ..demo import load
from ..models import Quotation, SalesOrder
from ..selectors import deliveries_of, invoices_of
from .factories import customer

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.date(2026, 12, 15)


@pytest.fixture
def shop(company, books, wh, users, pipeline):
    """Four goods with 50 on hand, five customers, three open deals of the rep."""
    for n, price in enumerate(("120.00", "45.00", "18.50", "300.00")):
        item = product(company, name=f"Good {n}", sku=f"G{n}", sale_price=D(price))
        receive(wh, item, 50, unit_cost=str(D(price) * D("0.6")), on_date=dt.date(2026, 1, 5))
    parties = [customer(company, f"Customer {n}") for n in range(5)]
    for n in range(3):
        create_opportunity(
            company=company,
            name=f"Deal {n}",
            party=parties[n],
            owner=users[Role.SALES_REP],
            amount=D("1000.00"),
        )
    return parties


def test_a_slice_of_the_demo_year_is_consistent(company, shop):
    """Given books, stock, customers, three open deals and a user per role;
    When 18 quotations of the demo load (and the demo loads again);
    Then every state is there, each confirmed order's status follows its deliveries,
    invoices and payments, the deals quoted and confirmed are won, the books balance,
    stock matches its moves, and the second load added nothing."""
    # When
    load(company, today=TODAY, count=18)
    # Then every state a rep meets is there
    quotes = Quotation.objects.all()
    assert quotes.count() == 18
    states = Counter(quotes.values_list("status", flat=True))
    assert {"draft", "sent", "to_approve", "cancelled", "confirmed"} <= set(states)
    expired = quotes.filter(status="sent", valid_until__lt=TODAY)
    assert expired.exists()
    orders = list(SalesOrder.objects.prefetch_related("lines"))
    assert {o.status for o in orders} >= {"on_hold", "confirmed", "done"}
    assert {o.delivery_status for o in orders} == {"nothing", "partial", "full"}
    assert {o.invoice_status for o in orders} == {"nothing", "full"}
    # Each order's status follows its documents
    for order in orders:
        lines = list(order.lines.all())
        delivered = sum((line.quantity_delivered for line in lines), D(0))
        ordered = sum((line.quantity for line in lines), D(0))
        invoiced = sum((i.amount_total for i in invoices_of(order)), D(0))
        if order.status == "on_hold":
            assert "exceeds Overdrawn Traders's credit limit by $" in order.hold_reason
            assert not deliveries_of(order).exists()
            continue
        assert order.delivery_status == (
            "nothing" if delivered == 0 else "full" if delivered == ordered else "partial"
        )
        assert invoiced in (D(0), order.amount_total)
        assert order.invoice_status == ("full" if invoiced else "nothing")
        assert (order.status == "done") == (order.payment_status == "paid")
        if order.status == "done":
            assert (order.delivery_status, order.invoice_status) == ("full", "full")
    # Deals quoted and confirmed are won; the others stay open
    for quote in quotes.filter(opportunity__isnull=False).select_related("opportunity"):
        won = quote.status == "confirmed"
        assert quote.opportunity.status == ("won" if won else "open")
    assert Opportunity.objects.filter(status="won").exists()
    # The books balance and stock matches its moves
    report = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert report["totals"]["debit"] == report["totals"]["credit"]
    assert level_differences(company.pk) == []
    # And a second load changes nothing
    load(company, today=TODAY, count=18)
    assert Quotation.objects.count() == 18
