"""Procure to pay, end to end: a requisition becomes an RFQ to three vendors, the
cheapest bid is awarded, the order above the threshold is approved, goods arrive in
two parts, each part is billed as it arrives, the bills are paid, and the books
balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.models import AccountRole, Invoice, JournalLine, Payment
from keel.accounting.selectors.reports import trial_balance
from keel.accounting.services.payments import register_payment
from keel.core.models import ApprovalRequest
from keel.inventory.models import StockLevel, Transfer
from keel.inventory.selectors.atp import positions

from ...models import BillMatch, PurchaseOrder, Requisition, Rfq
from ...selectors import bid_comparison, receipts_of, rfqs_of
from ...services import bills, orders, receipts, requisitions, rfqs

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2, JUNE_12, JUNE_20, JUNE_30 = (dt.date(2026, 6, d) for d in (1, 2, 12, 20, 30))


def balance(company, role: str) -> Decimal:
    """Debit minus credit of the account with `role`."""
    sums = JournalLine.objects.filter(company=company, account__role=role).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (sums["d"] or D(0)) - (sums["c"] or D(0))


def test_requisition_to_paid_bills(
    company, books, wh, bracket, hinge, vendors, employee, buyer, manager, invariants_hold
):
    """Given an employee's requisition for 100 brackets and 50 hinges;
    When a buyer approves it, asks Acme, Bolt and Cast for quotes, awards Bolt's
    10,900.00 (the cheapest), a manager approves the order (above 10,000.00), 60
    brackets and the 50 hinges arrive on 12 June and are billed (7,780.00), the last
    40 brackets arrive on 20 June and are billed (3,120.00), and both bills are paid;
    Then every figure is exact, the order is done, stock holds 10,900.00 and the
    books balance, and `keel check` is clean."""
    # Given an employee's requisition
    requisition = requisitions.create_requisition(
        company,
        requested_by=employee,
        warehouse=wh,
        need_by=JUNE_30,
        reason="Production run for the Harbour project",
        lines=[{"product": bracket, "quantity": 100}, {"product": hinge, "quantity": 50}],
    )
    requisitions.submit_requisition(requisition.pk, by=employee)
    # When a buyer approves it and asks three vendors
    requisitions.approve_requisition(requisition.pk, by=buyer)
    rfq = requisitions.requisition_to_rfq(requisition.pk, vendors=list(vendors.values()), by=buyer)
    assert Requisition.objects.get(pk=requisition.pk).status == "ordered"
    rfqs.send_rfq(rfq.pk, by=buyer)
    line_of = {line.product_id: line for line in rfq.lines.all()}
    replies = {
        "acme": (("80.00", 10), ("60.00", 7)),
        "bolt": (("78.00", 14), ("62.00", 10)),
        "cast": (("85.00", 5), ("55.00", 5)),
    }
    for name, ((b_price, b_days), (h_price, h_days)) in replies.items():
        rfqs.record_reply(
            rfq.pk,
            vendor=vendors[name],
            quotes=[
                {"line": line_of[bracket.pk], "unit_price": b_price, "lead_days": b_days},
                {"line": line_of[hinge.pk], "unit_price": h_price, "lead_days": h_days},
            ],
            by=buyer,
        )
    bids = bid_comparison(rfqs_of(company.pk).get(pk=rfq.pk))
    assert [(b.vendor, b.total, b.longest_lead_days, b.cheapest, b.fastest) for b in bids] == [
        ("Bolt & Co", D("10900.00"), 14, True, False),
        ("Acme Metals", D("11000.00"), 10, False, False),
        ("Cast Iron Ltd", D("11250.00"), 5, False, True),
    ]
    order = rfqs.award(rfq.pk, vendor=vendors["bolt"], order_date=JUNE_1, by=buyer)
    assert Rfq.objects.get(pk=rfq.pk).status == "awarded"
    assert (order.amount_total, order.requisition_id) == (D("10900.00"), requisition.pk)

    # The order is above 10,000.00: it waits for a manager
    orders.submit(order.pk, by=buyer)
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.TO_APPROVE
    request = ApprovalRequest.objects.get(object_id=str(order.pk), action="confirm")
    assert (request.amount, request.status) == (D("10900.00"), "pending")
    orders.approve(order.pk, by=manager, note="Within the project budget")
    order.refresh_from_db()
    request.refresh_from_db()
    assert (order.status, request.status) == ("confirmed", "approved")
    # Confirmation put two receipts in the warehouse on the dates the lead times give
    expected = [
        (t.scheduled_date, t.status, [(m.product_id, m.quantity) for m in t.moves.all()])
        for t in receipts_of(order).prefetch_related("moves")
    ]
    assert expected == [
        (dt.date(2026, 6, 11), "ready", [(hinge.pk, D(50))]),
        (dt.date(2026, 6, 15), "ready", [(bracket.pk, D(100))]),
    ]
    spot = positions(bracket, [wh])[wh.pk]
    assert (spot.available_on(dt.date(2026, 6, 14)), spot.available_on(dt.date(2026, 6, 15))) == (
        D(0),
        D(100),
    )

    # 60 brackets and the 50 hinges arrive on 12 June
    lines = {line.product_id: line for line in order.lines.all()}
    receipts.receive(
        order.pk,
        lines=[
            {"line": lines[bracket.pk].pk, "quantity": 60},
            {"line": lines[hinge.pk].pk, "quantity": 50},
        ],
        on_date=JUNE_12,
        by=buyer,
    )
    order.refresh_from_db()
    assert (order.status, order.receipt_status) == ("confirmed", "partial")
    assert sorted(order.lines.values_list("quantity_received", flat=True)) == [D(50), D(60)]
    backorder = Transfer.objects.get(backorder_of__isnull=False)
    assert [(m.product_id, m.quantity) for m in backorder.moves.all()] == [(bracket.pk, D(40))]
    assert balance(company, AccountRole.STOCK) == D("7780.00")  # 60 x 78 + 50 x 62
    assert balance(company, AccountRole.STOCK_INTERIM_RECEIVED) == D("-7780.00")

    # The first bill is limited to what arrived
    first = bills.bill_order(order.pk, date=JUNE_12, ref="BOLT-881", by=buyer)
    assert first.status == BillMatch.Status.MATCHED
    first_bill = Invoice.objects.get(pk=first.bill_id)
    assert (first_bill.status, first_bill.amount_total) == ("posted", D("7780.00"))
    assert sorted(first_bill.lines.values_list("quantity", "unit_price")) == [
        (D(50), D("62.00")),
        (D(60), D("78.00")),
    ]
    assert balance(company, AccountRole.STOCK_INTERIM_RECEIVED) == D("0.00")
    order.refresh_from_db()
    assert order.billing_status == "partial"

    # The last 40 brackets arrive on 20 June and are billed
    receipts.receive(
        order.pk, lines=[{"line": lines[bracket.pk].pk, "quantity": 40}], on_date=JUNE_20, by=buyer
    )
    order.refresh_from_db()
    assert (order.status, order.receipt_status) == ("received", "full")
    second = bills.bill_order(order.pk, date=JUNE_20, ref="BOLT-902", by=buyer)
    second_bill = Invoice.objects.get(pk=second.bill_id)
    assert (second.status, second_bill.amount_total) == ("matched", D("3120.00"))
    order.refresh_from_db()
    assert (order.status, order.billing_status) == ("billed", "full")

    # Both bills are paid
    payment = register_payment(
        company,
        party=vendors["bolt"],
        amount=D("10900.00"),
        date=JUNE_30,
        direction=Payment.Direction.OUTBOUND,
        invoices=[first_bill.pk, second_bill.pk],
        by=buyer,
    )
    assert payment.amount == D("10900.00")
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.DONE
    assert set(Invoice.objects.values_list("payment_status", flat=True)) == {"paid"}

    # Then the books balance and stock holds what was bought
    assert balance(company, AccountRole.STOCK) == D("10900.00")
    assert balance(company, AccountRole.STOCK_INTERIM_RECEIVED) == D("0.00")
    assert balance(company, AccountRole.PAYABLE) == D("0.00")
    on_hand = dict(
        StockLevel.objects.filter(location=wh.stock_location)
        .values("product_id")
        .annotate(q=Sum("on_hand"))
        .values_list("product_id", "q")
    )
    assert on_hand == {bracket.pk: D(100), hinge.pk: D(50)}
    report = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert report["totals"]["debit"] == report["totals"]["credit"]
    assert report["totals"]["debit"] > 0
    # And `keel check` finds every promise kept (books, stock, valuation, numbers)
    invariants_hold(company)
