"""Down payments: part of a confirmed order invoiced before delivery, booked on the
customer down payments account and deducted from the next invoice, so that the
order's invoices add up to its total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.models import AccountRole, Invoice, JournalLine

from ..services import down_payments, orders
from .factories import quotation
from .test_refusals import refused

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2, JUNE_3 = (dt.date(2026, 6, d) for d in (1, 2, 3))


def balance(company, role: str) -> Decimal:
    sums = JournalLine.objects.filter(company=company, account__role=role).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (sums["d"] or D(0)) - (sums["c"] or D(0))


def lines_of(document: Invoice) -> list[tuple]:
    return [
        (line.description, line.quantity, line.unit_price, line.amount_untaxed, line.amount_total)
        for line in document.lines.order_by("sequence")
    ]


def test_a_down_payment_is_deducted_so_the_invoices_add_up_to_the_order(
    company, wh, gadget, acme, rep, vat
):
    """Given Ann's order of 5 gadgets at 50.00 + 10% tax (275.00), invoiced on delivered
    quantities;
    When she asks a 30% down payment before delivery, then 2 gadgets leave and are
    invoiced, then the last 3;
    Then the down payment is 75.00 + 7.50 tax on the down payments account, the first
    invoice deducts it (100.00 - 75.00 + 2.50 tax = 27.50), the second is 165.00, the
    three add up to 275.00 and the down payments account is back to zero."""
    # Given
    quote = quotation(
        company,
        acme,
        wh,
        [{"product": gadget, "quantity": 5, "taxes": [vat]}],
        by=rep,
        invoicing_policy="delivered",
    )
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    # When Ann asks 30% down
    advance = down_payments.invoice_down_payment(order.pk, percent="30", on_date=JUNE_1, by=rep)
    # Then
    assert (advance.status, advance.ref, advance.amount_untaxed, advance.amount_total) == (
        "posted",
        "SO/00001",
        D("75.00"),
        D("82.50"),
    )
    assert lines_of(advance) == [
        ("Down payment of 30% on SO/00001", D(1), D("75.00"), D("75.00"), D("82.50"))
    ]
    assert balance(company, AccountRole.CUSTOMER_DOWN_PAYMENTS) == D("-75.00")
    order.refresh_from_db()
    assert (order.invoice_status, order.lines.get().quantity_invoiced) == ("nothing", D(0))

    # When 2 leave and are invoiced
    orders.deliver(order.pk, quantities={gadget.pk: 2}, on_date=JUNE_2, by=rep)
    first = orders.invoice(order.pk, on_date=JUNE_2, by=rep)
    # Then the down payment comes off
    assert lines_of(first) == [
        ("Gadget", D(2), D("50.00"), D("100.00"), D("110.00")),
        ("Down payments deducted on SO/00001", D(1), D("-75.00"), D("-75.00"), D("-82.50")),
    ]
    assert (first.amount_untaxed, first.amount_tax, first.amount_total) == (
        D("25.00"),
        D("2.50"),
        D("27.50"),
    )

    # When the last 3 leave and are invoiced
    orders.deliver(order.pk, on_date=JUNE_3, by=rep)
    second = orders.invoice(order.pk, on_date=JUNE_3, by=rep)
    # Then nothing is left to deduct and the three invoices make the order's total
    assert (second.amount_untaxed, second.amount_total, second.lines.count()) == (
        D("150.00"),
        D("165.00"),
        1,
    )
    invoiced = Invoice.objects.filter(sales_order_link__order=order)
    assert (
        invoiced.aggregate(total=Sum("amount_total"))["total"]
        == D("275.00")
        == (order.amount_total)
    )
    assert balance(company, AccountRole.CUSTOMER_DOWN_PAYMENTS) == D("0.00")
    assert balance(company, AccountRole.RECEIVABLE) == D("275.00")
    assert balance(company, AccountRole.REVENUE) == D("-250.00")


def test_a_fixed_down_payment_and_the_refused_ones_change_nothing(
    company, wh, gadget, widget, acme, rep, other_rep, vat
):
    """Given Ann's order of 5 gadgets (250.00 untaxed) and another with a taxed gadget
    and an untaxed widget;
    When she asks a fixed 200.00, then 60.00 more (only 50.00 left), 120%, Bob asks
    one on her order, and one on the order whose lines carry different taxes;
    Then the 200.00 is invoiced and each other is refused with the reason, changing
    nothing."""
    # Given
    order = orders.confirm(
        quotation(company, acme, wh, [{"product": gadget, "quantity": 5}], by=rep).pk,
        by=rep,
        on_date=JUNE_1,
    )
    mixed = orders.confirm(
        quotation(
            company,
            acme,
            wh,
            [
                {"product": gadget, "quantity": 1, "taxes": [vat]},
                {"product": widget, "quantity": 1},
            ],
            by=rep,
        ).pk,
        by=rep,
        on_date=JUNE_1,
    )
    # When / Then
    fixed = down_payments.invoice_down_payment(order.pk, amount="200", on_date=JUNE_1, by=rep)
    assert (fixed.amount_total, fixed.lines.get().description) == (
        D("200.00"),
        "Down payment on SO/00001",
    )
    refused(
        lambda: down_payments.invoice_down_payment(order.pk, amount="60", by=rep),
        "down_payment_refused",
        "A down payment of $60.00 exceeds what is left to invoice on SO/00001: $250.00 less "
        "$200.00 of down payments already invoiced.",
    )
    refused(
        lambda: down_payments.invoice_down_payment(order.pk, percent="120", by=rep),
        "down_payment_refused",
        "A percentage is at most 100.",
    )
    refused(
        lambda: down_payments.invoice_down_payment(order.pk, percent="10", by=other_rep),
        "permission_denied",
        f"SO/00001 belongs to {rep}; only its owner or a sales manager can invoice it.",
    )
    refused(
        lambda: down_payments.invoice_down_payment(mixed.pk, percent="10", by=rep),
        "down_payment_refused",
        "The lines of SO/00002 carry different taxes",
    )
