"""Returns to the vendor: the goods leave stock for the supplier, a billed part is
credited, the order counts them out, and the books still balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.accounting.models import AccountRole, Invoice
from keel.accounting.selectors.reports import trial_balance
from keel.core.errors import InvalidInput
from keel.inventory.models import StockLevel

from ..services import bills, receipts, returns
from .factories import confirmed_order
from .scenarios.test_procure_to_pay import balance
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_5, JUNE_8 = dt.date(2026, 6, 5), dt.date(2026, 6, 8)


@pytest.fixture
def billed(company, books, wh, bracket, vendors, buyer):
    """10 brackets at 100.00 from Acme, received on 5 June and billed (1,000.00)."""
    order = confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)
    receipts.receive(
        order.pk, lines=[{"line": order.lines.get().pk, "quantity": 10}], on_date=JUNE_5
    )
    bills.bill_order(order.pk, date=JUNE_5, by=buyer)
    return order


def test_returning_billed_goods_credits_them(billed, company, wh, bracket, buyer):
    """When 3 damaged brackets go back on 8 June; Then 7 stay on hand, the order counts
    7 received and 7 billed, a 300.00 credit note is posted, stock is worth 700.00,
    interim is cleared, 700.00 is owed, and the books balance."""
    line = billed.lines.get()
    back = returns.return_to_vendor(
        billed.pk,
        lines=[{"line": line.pk, "quantity": 3}],
        on_date=JUNE_8,
        reason="Damaged",
        by=buyer,
    )
    assert (back.kind, back.status, back.destination.usage) == ("delivery", "done", "supplier")
    assert StockLevel.objects.get(product=bracket, location=wh.stock_location).on_hand == D(7)
    line.refresh_from_db()
    assert (line.quantity_received, line.quantity_billed) == (D(7), D(7))
    note = Invoice.objects.get(kind=Invoice.Kind.VENDOR_CREDIT_NOTE)
    assert (note.status, note.amount_total) == ("posted", D("300.00"))
    assert balance(company, AccountRole.STOCK) == D("700.00")
    assert balance(company, AccountRole.STOCK_INTERIM_RECEIVED) == D("0.00")
    assert balance(company, AccountRole.PAYABLE) == D("-700.00")
    report = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert report["totals"]["debit"] == report["totals"]["credit"]


def test_returning_more_than_arrived_is_refused(billed, buyer):
    """When 11 of the 10 received go back; Then more_than_received, nothing changed."""
    before = state()
    with pytest.raises(InvalidInput) as refused:
        returns.return_to_vendor(
            billed.pk, lines=[{"line": billed.lines.get().pk, "quantity": 11}], reason="x", by=buyer
        )
    assert refused.value.code == "more_than_received"
    assert str(refused.value) == (
        f"[BRK] Steel bracket: 11 cannot go back; only 10 arrived on {billed}."
    )
    assert state() == before


def test_the_api_returns_goods_and_refuses_an_employee(billed, api_as, buyer, employee):
    """An employee's return answers 403 and changes nothing; the buyer's returns 2 and
    the order counts 8 received."""
    url = f"/api/v1/purchase-orders/{billed.pk}/return/"
    body = {"reason": "Wrong size", "lines": [{"line": billed.lines.get().pk, "quantity": "2"}]}
    before = state()
    assert api_as(employee).post(url, body, format="json").status_code == 403
    assert state() == before
    response = api_as(buyer).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["lines"][0]["quantity_received"] == "8.0000"
