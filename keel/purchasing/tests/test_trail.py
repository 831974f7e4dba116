"""The procure-to-pay trail of an order: its approval, receipts (with the backorder),
bills with their match, and the payments, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keel.accounting.models import Payment
from keel.accounting.services.payments import register_payment

from ..selectors import orders_of, trail
from ..services import bills, orders, receipts
from .factories import confirmed_order

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_10, JUNE_20 = dt.date(2026, 6, 10), dt.date(2026, 6, 20)


@pytest.fixture
def paid_in_part(company, books, wh, bracket, vendors, buyer, manager):
    """PO/00001: 120 brackets at 100.00 from Bolt, approved by the manager; 80 arrived
    and were billed (8,000.00) and paid on 20 June; 40 wait on the backorder."""
    order = confirmed_order(company, wh, vendors["bolt"], [(bracket, 120, "100.00")], by=buyer)
    orders.approve(order.pk, by=manager)
    line = order.lines.get()
    receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": 80}], on_date=JUNE_10)
    match = bills.bill_order(order.pk, date=JUNE_10, ref="BOLT-77", by=buyer)
    register_payment(
        company,
        party=vendors["bolt"],
        amount=D("8000.00"),
        date=JUNE_20,
        direction=Payment.Direction.OUTBOUND,
        invoices=[match.bill_id],
    )
    return order


def test_the_trail_holds_approval_receipts_bills_and_payments(paid_in_part, company, manager):
    """Then the trail names the manager's approval, the done receipt and its backorder
    of 40, the matched and paid bill of 8,000.00 and the payment of 8,000.00."""
    found = trail(orders_of(company.pk).get(pk=paid_in_part.pk))
    assert (found.approval.status, found.approval.decided_by) == ("approved", manager)
    assert [(r.number, r.status, [m.quantity for m in r.moves.all()]) for r in found.receipts] == [
        ("WH/IN/00001", "done", [D(80)]),
        ("WH/IN/00002", "ready", [D(40)]),
    ]
    assert [(m.status, m.bill.amount_total, m.bill.payment_status) for m in found.bills] == [
        ("matched", D("8000.00"), "paid")
    ]
    assert [(p["date"], p["amount"], p["bill"].pk) for p in found.payments] == [
        (JUNE_20, D("8000.00"), found.bills[0].bill_id)
    ]


def test_the_trail_page_in_a_fixed_number_of_queries(
    paid_in_part, buyer, employee, django_assert_max_num_queries
):
    """The buyer's trail page answers in at most 20 queries and shows the backorder
    and the payment; an employee is refused."""
    client = Client()
    client.force_login(buyer)
    url = reverse("purchasing:trail", args=[paid_in_part.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "WH/IN/00002" in page and "backorder of WH/IN/00001" in page
    assert "BOLT-77" in page and "8,000.00" in page and "Paid" in page
    other = Client()
    other.force_login(employee)
    assert other.get(url).status_code == 403
