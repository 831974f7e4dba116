"""Bad input is refused with a clear error and changes nothing: receiving more than
ordered beyond the tolerance, billing a cancelled order, approving one's own order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.errors import PermissionRefused

from ..errors import (
    OrderNotBillable,
    OrderNotCancellable,
    OrderNotReceivable,
    OverReceipt,
    OwnApproval,
)
from ..models import PurchaseOrder
from ..services import bills, orders, receipts, requisitions
from .factories import confirmed_order
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_5 = dt.date(2026, 6, 5)


@pytest.fixture
def order(company, books, wh, bracket, vendors, buyer):
    """A confirmed order of 10 brackets at 100.00 from Acme (below the threshold)."""
    return confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)


def test_receiving_more_than_ordered_beyond_the_tolerance_is_refused(order):
    """Given 10 brackets ordered and a 5% tolerance (10.5 at most); When 11 arrive;
    Then OverReceipt says so and nothing changed (no stock, the receipt still waits)."""
    line = order.lines.get()
    before = state()
    with pytest.raises(OverReceipt) as refused:
        receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": 11}], on_date=JUNE_5)
    assert str(refused.value) == (
        f"[BRK] Steel bracket: 11 would have arrived but 10 were ordered on {order}; the 5% "
        "tolerance allows at most 10.5. Refuse the extra or order it."
    )
    assert refused.value.code == "over_receipt"
    assert state() == before


def test_receiving_a_little_more_within_the_tolerance_is_accepted(order, company, wh):
    """Given 10 brackets ordered; When 10.5 arrive (5%); Then all of it is on hand, the
    extra half on a receipt of its own, and the order is received."""
    from keel.inventory.models import StockLevel, Transfer

    line = order.lines.get()
    receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": "10.5"}], on_date=JUNE_5)
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, line.quantity_received) == ("received", D("10.5"))
    level = StockLevel.objects.get(location=wh.stock_location, product=line.product)
    assert level.on_hand == D("10.5")
    assert Transfer.objects.filter(status="done").count() == 2


def test_billing_a_cancelled_order_is_refused(order, buyer):
    """Given an order cancelled before anything arrived; When it is billed; Then
    OrderNotBillable says it is cancelled and nothing changed."""
    orders.cancel(order.pk, by=buyer, reason="Project postponed")
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.CANCELLED
    assert {t.status for t in order_receipts(order)} == {"cancelled"}
    before = state()
    with pytest.raises(OrderNotBillable) as refused:
        bills.bill_order(order.pk, date=JUNE_5, by=buyer)
    assert str(refused.value) == f"{order} is cancelled; a cancelled order cannot be billed."
    assert state() == before


def order_receipts(order):
    from ..selectors import receipts_of

    return list(receipts_of(order))


def test_cancelling_an_order_part_of_which_arrived_is_refused(order, buyer):
    """Given 4 of 10 received; When the order is cancelled; Then refused, nothing changed."""
    line = order.lines.get()
    receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": 4}], on_date=JUNE_5)
    before = state()
    with pytest.raises(OrderNotCancellable):
        orders.cancel(order.pk, by=buyer)
    assert state() == before


@pytest.fixture
def big_order(company, books, wh, bracket, vendors, buyer):
    """A 12,000.00 order by the buyer, waiting for approval (above 10,000.00)."""
    return confirmed_order(company, wh, vendors["bolt"], [(bracket, 120, "100.00")], by=buyer)


def test_approving_ones_own_order_is_refused(big_order, buyer):
    """Given the buyer's order waiting for approval; When the buyer approves it; Then
    OwnApproval, and the order and its approval request are as they were."""
    assert big_order.status == "to_approve"
    before = state()
    with pytest.raises(OwnApproval) as refused:
        orders.approve(big_order.pk, by=buyer)
    assert refused.value.code == "own_approval"
    assert str(refused.value) == (
        f"You cannot approve {big_order}: you raised it yourself; another approver must."
    )
    assert state() == before


def test_approving_without_the_approver_role_is_refused(big_order, other_buyer):
    """Given an order above the threshold (a manager's role approves); When another
    buyer approves it; Then refused (approver_role_required), nothing changed."""
    before = state()
    with pytest.raises(PermissionRefused) as refused:
        orders.approve(big_order.pk, by=other_buyer)
    assert refused.value.code == "approver_role_required"
    assert state() == before


def test_an_order_below_the_threshold_is_confirmed_at_once(order):
    """Given a 1,000.00 order; When submitted; Then confirmed with its receipt waiting."""
    assert order.status == "confirmed"
    assert [t.status for t in order_receipts(order)] == ["ready"]


def test_a_raised_threshold_lets_a_big_order_through(company, books, wh, bracket, vendors, buyer):
    """Given the threshold raised to 50,000.00; When a 12,000.00 order is submitted;
    Then it is confirmed without approval."""
    orders.configure(company, approval_threshold="50000")
    placed = confirmed_order(company, wh, vendors["bolt"], [(bracket, 120, "100.00")], by=buyer)
    assert placed.status == "confirmed"


def test_rejecting_sends_the_order_back_to_draft(big_order, manager):
    """Given an order waiting for approval; When a manager rejects it with a reason;
    Then it is a draft again."""
    orders.reject(big_order.pk, by=manager, note="Split it over two quarters")
    big_order.refresh_from_db()
    assert big_order.status == "draft"


def test_deciding_ones_own_requisition_is_refused(company, wh, bracket, buyer):
    """Given a buyer's own submitted requisition; When they approve it; Then OwnApproval
    and it still waits."""
    requisition = requisitions.create_requisition(
        company,
        requested_by=buyer,
        warehouse=wh,
        need_by=JUNE_5,
        reason="Spares",
        lines=[{"product": bracket, "quantity": 3}],
    )
    requisitions.submit_requisition(requisition.pk, by=buyer)
    before = state()
    with pytest.raises(OwnApproval):
        requisitions.approve_requisition(requisition.pk, by=buyer)
    assert state() == before


def test_an_employee_cannot_approve_a_requisition(company, wh, bracket, buyer, employee):
    """Given a submitted requisition; When an employee approves it; Then refused."""
    requisition = requisitions.create_requisition(
        company,
        requested_by=buyer,
        warehouse=wh,
        need_by=JUNE_5,
        reason="Spares",
        lines=[{"product": bracket, "quantity": 3}],
    )
    requisitions.submit_requisition(requisition.pk, by=buyer)
    before = state()
    with pytest.raises(PermissionRefused):
        requisitions.approve_requisition(requisition.pk, by=employee)
    assert state() == before


def test_a_draft_order_cannot_be_received(company, books, wh, bracket, vendors, buyer):
    """Given a draft order; When received; Then refused, nothing changed."""
    draft = orders.create_order(
        company,
        vendor=vendors["acme"],
        warehouse=wh,
        lines=[{"product": bracket, "quantity": 1, "unit_price": "5", "lead_days": 0}],
        by=buyer,
    )
    before = state()
    with pytest.raises(OrderNotReceivable):
        receipts.receive(draft.pk, lines=[{"line": draft.lines.get().pk, "quantity": 1}])
    assert state() == before
