"""A customer sends back part of a delivered order: the return is authorised, the
goods come back into stock at the cost they left with, a credit note for exactly
what came back is posted and settles the open invoice, or is refunded once the
order was paid; and the books balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.models import AccountRole, Invoice, JournalLine, OpenItem, Payment
from keel.accounting.selectors.reports import trial_balance
from keel.accounting.services.payments import register_payment
from keel.core.models import OutboxEvent
from keel.inventory.models import StockLevel, Transfer

from ...models import ReturnAuthorisation, SalesOrder
from ...selectors import return_transfers_of
from ...services import orders, returns
from ..factories import quotation
from ..test_refusals import refused

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2, JUNE_5, JUNE_10 = (dt.date(2026, 6, d) for d in (1, 2, 5, 10))


def on_hand(item, wh) -> Decimal:
    return StockLevel.objects.get(product=item, location=wh.stock_location, lot_key=0).on_hand


def balance(company, role: str) -> Decimal:
    """Debit minus credit of the account with `role`."""
    sums = JournalLine.objects.filter(company=company, account__role=role).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (sums["d"] or D(0)) - (sums["c"] or D(0))


def residual(document: Invoice) -> Decimal:
    """What is left open on a document, as its customer or we owe it (unsigned)."""
    return abs(sum(i.residual for i in OpenItem.objects.filter(invoice=document)))


def books_balance(company) -> None:
    report = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert report["totals"]["debit"] == report["totals"]["credit"]


def delivered_and_invoiced(company, wh, gadget, acme, rep, vat) -> tuple[SalesOrder, Invoice]:
    """5 gadgets at 50.00 + 10% tax sold to Acme on 1 June, all delivered on 2 June and
    invoiced 275.00 the same day."""
    quote = quotation(
        company, acme, wh, [{"product": gadget, "quantity": 5, "taxes": [vat]}], by=rep
    )
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    orders.deliver(order.pk, on_date=JUNE_2, by=rep)
    document = orders.invoice(order.pk, on_date=JUNE_2, by=rep)
    assert document.amount_total == D("275.00")
    return order, document


def test_a_return_of_an_unpaid_order_is_credited_on_its_open_invoice(
    company, wh, gadget, acme, rep, manager, vat
):
    """Given 5 gadgets (50.00 + 10% tax, cost 30.00) delivered to Acme and invoiced
    275.00, not paid yet;
    When Ann takes a return of 2 of them, her manager approves it and the goods come
    back on 5 June;
    Then 2 are on hand again, the credit note is 110.00 and settles the invoice down to
    165.00, the order shows 2 returned, the 60.00 of cost left COGS again, and the books
    balance."""
    # Given
    order, invoice = delivered_and_invoiced(company, wh, gadget, acme, rep, vat)
    line = order.lines.get()
    assert on_hand(gadget, wh) == D(15)

    # When Ann takes the return down and her manager lets the goods come back
    rma = returns.create_return(
        order.pk,
        lines=[{"line": line.pk, "quantity": 2}],
        reason="Two arrived scratched",
        on_date=JUNE_5,
        by=rep,
    )
    assert (rma.number, rma.status, rma.party, rma.owner) == ("RMA/00001", "draft", acme, rep)
    returns.approve(rma.pk, by=manager)
    incoming = return_transfers_of(rma).get()
    assert (incoming.kind, incoming.status, incoming.source.usage, incoming.destination) == (
        Transfer.Kind.RECEIPT,
        Transfer.Status.READY,
        "customer",
        wh.stock_location,
    )
    returns.receive(rma.pk, on_date=JUNE_5, by=manager)

    # Then the goods are back, credited at the order's price and tax
    rma.refresh_from_db()
    note = rma.credit_note
    assert (rma.status, rma.lines.get().quantity_received) == ("credited", D(2))
    assert (note.kind, note.status, note.reversed_invoice, note.date) == (
        Invoice.Kind.CUSTOMER_CREDIT_NOTE,
        "posted",
        invoice,
        JUNE_5,
    )
    assert (note.amount_untaxed, note.amount_tax, note.amount_total) == (
        D("100.00"),
        D("10.00"),
        D("110.00"),
    )
    assert (rma.amount_credited, rma.amount_applied, rma.amount_refunded) == (
        D("110.00"),
        D("110.00"),
        D("0.00"),
    )
    assert on_hand(gadget, wh) == D(17)
    # ...the credit settles the open invoice, which is now partly paid
    invoice.refresh_from_db()
    assert (residual(invoice), residual(note), invoice.payment_status) == (
        D("165.00"),
        D("0.00"),
        "partial",
    )
    order.refresh_from_db()
    assert order.lines.get().quantity_returned == D(2)
    assert order.payment_status == "partial"
    # ...5 gadgets left at 30.00 and 2 came back at the same cost: 90.00 of COGS
    assert balance(company, AccountRole.COGS) == D("90.00")
    assert balance(company, AccountRole.RECEIVABLE) == D("165.00")
    assert balance(company, AccountRole.REVENUE) == D("-150.00")
    books_balance(company)
    assert OutboxEvent.objects.filter(topic="sales.return.credited").count() == 1

    # When Acme pays the rest, Then the order is paid and done
    register_payment(company, party=acme, amount=D("165.00"), date=JUNE_10, invoices=[invoice.pk])
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("done", "paid")
    books_balance(company)


def test_a_return_of_a_paid_order_is_refunded(company, wh, gadget, acme, rep, manager, vat):
    """Given 5 gadgets delivered, invoiced 275.00 and paid by Acme;
    When Ann takes a return of 2 to be refunded, approved and received;
    Then no invoice is open, so the 110.00 credit is paid back to Acme by an outgoing
    payment, the credit note is settled, and the books balance."""
    # Given
    order, invoice = delivered_and_invoiced(company, wh, gadget, acme, rep, vat)
    register_payment(company, party=acme, amount=D("275.00"), date=JUNE_2, invoices=[invoice.pk])
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("done", "paid")
    # When
    rma = returns.create_return(
        order.pk,
        lines=[{"line": order.lines.get().pk, "quantity": 2}],
        reason="Ordered too many",
        settlement=ReturnAuthorisation.Settlement.REFUND,
        on_date=JUNE_5,
        by=rep,
    )
    returns.approve(rma.pk, by=manager)
    returns.receive(rma.pk, on_date=JUNE_5, by=manager)
    # Then
    rma.refresh_from_db()
    refund = rma.refund
    assert (refund.direction, refund.amount, refund.date, refund.party) == (
        Payment.Direction.OUTBOUND,
        D("110.00"),
        JUNE_5,
        acme,
    )
    assert (rma.amount_credited, rma.amount_applied, rma.amount_refunded) == (
        D("110.00"),
        D("0.00"),
        D("110.00"),
    )
    assert (residual(rma.credit_note), rma.credit_note.payment_status) == (D("0.00"), "paid")
    assert on_hand(gadget, wh) == D(17)
    assert balance(company, AccountRole.RECEIVABLE) == D("0.00")
    # 275.00 came in and 110.00 went back out
    assert balance(company, AccountRole.BANK) == D("165.00")
    books_balance(company)


def test_a_partial_receipt_is_credited_for_what_came_back_and_kept_as_credit(
    company, wh, gadget, acme, rep, manager, vat
):
    """Given 5 gadgets delivered, invoiced and paid;
    When a return of 3 is approved, kept as credit, and only 2 come back;
    Then 2 are credited (110.00) and stay as Acme's credit, the rest is no longer
    expected (its backorder is cancelled), and a third gadget may be returned later."""
    # Given
    order, invoice = delivered_and_invoiced(company, wh, gadget, acme, rep, vat)
    register_payment(company, party=acme, amount=D("275.00"), date=JUNE_2, invoices=[invoice.pk])
    line = order.lines.get()
    # When
    rma = returns.create_return(
        order.pk, lines=[{"line": line.pk, "quantity": 3}], reason="Wrong colour", by=rep
    )
    returns.approve(rma.pk, by=manager)
    returns.receive(rma.pk, quantities={gadget.pk: 2}, on_date=JUNE_5, by=manager)
    # Then
    rma.refresh_from_db()
    assert (rma.status, rma.amount_credited, rma.refund) == ("credited", D("110.00"), None)
    assert sorted(return_transfers_of(rma).values_list("status", flat=True)) == [
        "cancelled",
        "done",
    ]
    assert residual(rma.credit_note) == D("110.00")
    assert balance(company, AccountRole.RECEIVABLE) == D("-110.00")
    assert on_hand(gadget, wh) == D(17)
    books_balance(company)
    # ...and the third gadget may still come back on a new return
    later = returns.create_return(
        order.pk, lines=[{"line": line.pk, "quantity": 3}], reason="More scratches", by=rep
    )
    assert later.number == "RMA/00002"


def test_refused_returns_change_nothing(
    company, wh, gadget, widget, acme, rep, other_rep, manager, vat
):
    """Given Ann's order of 5 gadgets, delivered and invoiced, and of 1 widget not
    delivered, and a return of 2 gadgets already credited;
    When someone returns 4 more gadgets (only 3 left), returns the undelivered widget,
    credits the return again, lets Bob take a return of Ann's order, lets Ann approve
    a return herself, or gives no reason;
    Then each is refused with its code and the reason, and nothing changed."""
    # Given
    quote = quotation(
        company,
        acme,
        wh,
        [
            {"product": gadget, "quantity": 5, "taxes": [vat]},
            {"product": widget, "quantity": 1, "taxes": [vat]},
        ],
        by=rep,
    )
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    orders.deliver(order.pk, quantities={gadget.pk: 5}, on_date=JUNE_2, by=rep)
    orders.invoice(order.pk, on_date=JUNE_2, by=rep)
    gadgets, widgets = order.lines.order_by("sequence")
    rma = returns.create_return(
        order.pk, lines=[{"line": gadgets.pk, "quantity": 2}], reason="Scratched", by=rep
    )
    returns.approve(rma.pk, by=manager)
    returns.receive(rma.pk, on_date=JUNE_5, by=manager)
    credit_note = ReturnAuthorisation.objects.get(pk=rma.pk).credit_note

    # When / Then
    refused(
        lambda: returns.create_return(
            order.pk, lines=[{"line": gadgets.pk, "quantity": 4}], reason="More", by=rep
        ),
        "return_exceeds_delivered",
        f"Only 3 of [GDG] Gadget on {order} can be returned (5 delivered, 2 returned or on open "
        "returns); 4 asked.",
    )
    refused(
        lambda: returns.create_return(
            order.pk, lines=[{"line": widgets.pk, "quantity": 1}], reason="Unwanted", by=rep
        ),
        "return_exceeds_delivered",
        f"[WDG] Widget on {order} has not been delivered; only delivered goods can be returned.",
    )
    refused(
        lambda: returns.credit(rma.pk, by=manager),
        "return_already_credited",
        f"RMA/00001 was already credited by {credit_note}; a return is credited once.",
    )
    refused(
        lambda: returns.create_return(
            order.pk, lines=[{"line": gadgets.pk, "quantity": 1}], reason="Mine", by=other_rep
        ),
        "permission_denied",
        f"{order} belongs to {rep}; only its owner or a sales manager can take a return of it.",
    )
    draft = returns.create_return(
        order.pk, lines=[{"line": gadgets.pk, "quantity": 1}], reason="Dent", by=rep
    )
    refused(
        lambda: returns.approve(draft.pk, by=rep),
        "permission_denied",
        f"You may not approve {draft}",
    )
    refused(
        lambda: returns.create_return(
            order.pk, lines=[{"line": gadgets.pk, "quantity": 1}], reason="  ", by=rep
        ),
        "invalid",
        "Say why the customer returns the goods.",
    )
    # ...and the open draft counts: with it, only 2 gadgets may still be returned
    refused(
        lambda: returns.create_return(
            order.pk, lines=[{"line": gadgets.pk, "quantity": 3}], reason="Dents", by=rep
        ),
        "return_exceeds_delivered",
        "Only 2 of [GDG] Gadget",
    )


def test_a_cancelled_return_stops_its_transfer_and_frees_its_quantity(
    company, wh, gadget, acme, rep, manager, vat
):
    """Given 5 gadgets delivered and invoiced, and an approved return of all 5;
    When Ann cancels it ("Customer kept them");
    Then its waiting return transfer is cancelled, nothing came back or was credited,
    and the 5 gadgets may be returned on a new return."""
    # Given
    order, _ = delivered_and_invoiced(company, wh, gadget, acme, rep, vat)
    line = order.lines.get()
    rma = returns.create_return(
        order.pk, lines=[{"line": line.pk, "quantity": 5}], reason="Unwanted", by=rep
    )
    returns.approve(rma.pk, by=manager)
    # When
    returns.cancel(rma.pk, by=rep, reason="Customer kept them")
    # Then
    rma.refresh_from_db()
    assert (rma.status, rma.credit_note, rma.amount_credited) == ("cancelled", None, D("0.00"))
    assert list(return_transfers_of(rma).values_list("status", flat=True)) == ["cancelled"]
    assert on_hand(gadget, wh) == D(15)
    assert Invoice.objects.filter(kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE).count() == 0
    again = returns.create_return(
        order.pk, lines=[{"line": line.pk, "quantity": 5}], reason="Unwanted after all", by=rep
    )
    assert again.number == "RMA/00002"
    # ...and a cancelled return cannot be received
    refused(
        lambda: returns.receive(rma.pk, by=manager),
        "transition_not_allowed",
        "cannot become received",
    )
