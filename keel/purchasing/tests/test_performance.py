"""Supplier performance and spend with exact figures: on-time rate, actual against
promised lead time, price variance per vendor; spend by vendor, category and month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keel.inventory.tests.factories import product
from keel.products.tests.factories import ProductCategoryFactory

from ..performance import spend, supplier_performance
from ..services import bills, receipts
from .factories import confirmed_order

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


def day(month: int, number: int) -> dt.date:
    return dt.date(2026, month, number)


@pytest.fixture
def history(company, books, wh, vendors, buyer):
    """Acme: 10 brackets at 100.00 (5 days) arrive on 6 June, on time, billed at
    100.00; 20 hinges at 5.00 (3 days) arrive on 8 June, 4 days late, billed at 5.20.
    Bolt: 100 washers at 0.50 (10 days) arrive on 9 June, early, billed on 2 July."""
    hardware = ProductCategoryFactory(company=company, name="Hardware")
    bracket = product(company, name="Steel bracket", sku="BRK", category=hardware)
    hinge = product(company, name="Door hinge", sku="HNG", category=hardware)
    washer = product(company, name="Washer", sku="WSH")
    for supplier, item, quantity, price, lead, arrived, billed_at, billed_on in (
        (vendors["acme"], bracket, 10, "100.00", 5, day(6, 6), "100.00", day(6, 6)),
        (vendors["acme"], hinge, 20, "5.00", 3, day(6, 8), "5.20", day(6, 8)),
        (vendors["bolt"], washer, 100, "0.50", 10, day(6, 9), "0.50", day(7, 2)),
    ):
        order = confirmed_order(company, wh, supplier, [(item, quantity, price, lead)], by=buyer)
        line = order.lines.get()
        receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": quantity}], on_date=arrived)
        bills.bill_order(
            order.pk,
            date=billed_on,
            lines=[{"line": line.pk, "quantity": quantity, "unit_price": billed_at}],
            by=buyer,
        )


def test_supplier_performance_per_vendor(company, history):
    """Then Acme is 50.0% on time, 6.0 days actual against 4.0 promised, +0.36% on
    price (1,104.00 billed for 1,100.00 ordered); Bolt 100.0%, 8.0 against 10.0, 0.00%."""
    found = supplier_performance(company.pk, day(6, 1), day(7, 31))
    assert [
        (
            s.vendor,
            s.deliveries,
            s.on_time_rate,
            s.average_actual_days,
            s.average_promised_days,
            s.price_variance,
        )
        for s in found
    ] == [
        ("Acme Metals", 2, D("50.0"), D("6.0"), D("4.0"), D("0.36")),
        ("Bolt & Co", 1, D("100.0"), D("8.0"), D("10.0"), D("0.00")),
    ]


def test_spend_by_vendor_category_and_month(company, history):
    """Then 1,154.00 was spent: Acme 1,104.00 and Bolt 50.00; Hardware 1,104.00 and
    uncategorised 50.00; June 1,104.00 and July 50.00. June alone leaves Bolt out."""
    found = spend(company.pk, day(6, 1), day(7, 31), "USD")
    assert found.total == D("1154.00")
    assert found.by_vendor == [("Acme Metals", D("1104.00")), ("Bolt & Co", D("50.00"))]
    assert found.by_category == [("Hardware", D("1104.00")), ("Uncategorised", D("50.00"))]
    assert found.by_month == [("2026-06", D("1104.00")), ("2026-07", D("50.00"))]
    assert spend(company.pk, day(6, 1), day(6, 30), "USD").by_vendor == [
        ("Acme Metals", D("1104.00"))
    ]


def test_the_performance_page(company, history, buyer, employee, django_assert_max_num_queries):
    """The buyer's page shows both vendors and the spend chart in a fixed number of
    queries; an employee is refused."""
    client = Client()
    client.force_login(buyer)
    url = reverse("purchasing:performance") + "?from=2026-06-01&to=2026-07-31"
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Metals" in page and "50.0%" in page and "+0.36%" in page and "1,154.00" in page
    other = Client()
    other.force_login(employee)
    assert other.get(url).status_code == 403
