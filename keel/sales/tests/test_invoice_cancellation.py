"""An order's invoice cancelled in accounting (its reversal posted): the order should
count it as not invoiced any more, so it can be invoiced again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.accounting.models import Invoice
from keel.accounting.services.invoices import cancel_invoice

from ..models import SalesOrder, SalesOrderLine
from ..services import batch, orders
from .factories import quotation
from .test_batch import books_balance, delivered_order

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)


def test_an_order_whose_invoice_is_cancelled_can_be_invoiced_again(
    company, wh, gadget, acme, rep, vat
):
    """Given 2 gadgets at 50.00 + 10% tax ordered by Acme and invoiced on ordered
    quantities (110.00); When accounting cancels the invoice; Then the order line is
    invoiced 0 again, the order's invoice status is 'nothing', and invoicing the order
    again posts a new invoice of 110.00."""
    quote = quotation(
        company, acme, wh, [{"product": gadget, "quantity": 2, "taxes": [vat]}], by=rep
    )
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    first = orders.invoice(order.pk, on_date=JUNE_1, by=rep)
    assert first.amount_total == D("110.00")

    cancel_invoice(first.pk, date=JUNE_2, reason="wrong price list")

    order = SalesOrder.objects.get(pk=order.pk)
    assert order.lines.get().quantity_invoiced == D(0)
    assert order.invoice_status == "nothing"
    again = orders.invoice(order.pk, on_date=JUNE_2, by=rep)
    assert (again.status, again.amount_total) == ("posted", D("110.00"))


def test_cancelling_an_invoice_grouping_two_orders_frees_both_and_nothing_else(
    company, wh, widget, gadget, acme, manager
):
    """Given two delivered orders of Acme invoiced together (2 gadgets; 1 widget and
    1 gadget: 250.00) and a third order invoiced on its own;
    When accounting cancels the grouped invoice;
    Then both its orders are invoiced 0 again on every line and ask no payment, the
    third order still counts its invoice, and invoicing all delivered bills the two
    orders again for 250.00."""
    # Given
    first = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 2}], manager)
    second = delivered_order(
        company,
        wh,
        acme,
        [{"product": widget, "quantity": 1}, {"product": gadget, "quantity": 1}],
        manager,
    )
    grouped = batch.invoice_delivered(
        company, by=manager, order_ids=[first.pk, second.pk], on_date=JUNE_1
    )
    third = delivered_order(company, wh, acme, [{"product": gadget, "quantity": 3}], manager)
    alone = orders.invoice(third.pk, on_date=JUNE_1, by=manager)
    # When
    cancel_invoice(grouped.done[first.pk], date=JUNE_2, reason="sent to the wrong address")
    # Then
    states = {
        order.pk: (order.invoice_status, order.payment_status)
        for order in SalesOrder.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert states == {
        first.pk: ("nothing", "not_paid"),
        second.pk: ("nothing", "not_paid"),
        third.pk: ("full", "not_paid"),
    }
    assert sorted(
        SalesOrderLine.objects.filter(order__in=[first, second, third]).values_list(
            "order_id", "quantity_invoiced"
        )
    ) == [(first.pk, D(0)), (second.pk, D(0)), (second.pk, D(0)), (third.pk, D(3))]
    again = batch.invoice_delivered(company, by=manager, on_date=JUNE_2)
    assert again.refused == []
    assert set(again.done) == {first.pk, second.pk}
    invoice = Invoice.objects.get(pk=again.done[first.pk])
    assert (invoice.status, invoice.amount_total) == ("posted", D("250.00"))
    assert alone.status == "posted"
    assert books_balance(company)
