"""Invoices cancelled before sales listened to cancellations: the upgrade counts them
out of their orders, so those orders can be invoiced again."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from keel.accounting.services.invoices import cancel_invoice

from ..models import InvoicedQuantity, SalesOrder, SalesOrderLine
from ..services import orders
from .factories import quotation

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)
upgrade = importlib.import_module("keel.sales.migrations.0009_release_invoices_cancelled_before")


def left_as_before_the_fix(order, invoice, quantity):
    """What an older Keel left: the cancelled invoice still counted on the order line,
    the order fully invoiced, and 0008's record of what the invoice billed."""
    line = order.lines.get()
    SalesOrderLine.objects.filter(pk=line.pk).update(quantity_invoiced=quantity)
    SalesOrder.objects.filter(pk=order.pk).update(invoice_status="full")
    InvoicedQuantity.objects.create(order_line=line, invoice=invoice, quantity=quantity)


def test_an_invoice_cancelled_before_the_upgrade_no_longer_counts_on_its_order(
    company, wh, gadget, acme, rep, vat
):
    """Given an order of 2 gadgets invoiced (110.00) and a second order invoiced and
    kept, the first invoice cancelled by an older Keel that left the order counting
    it; When the upgrade runs; Then the first order is invoiced 0 and 'nothing'
    again with no record of the cancelled invoice, the second is untouched, and the
    first can be invoiced again for 110.00."""
    # Given
    lines = [{"product": gadget, "quantity": 2, "taxes": [vat]}]
    first = orders.confirm(quotation(company, acme, wh, lines, by=rep).pk, by=rep, on_date=JUNE_1)
    second = orders.confirm(quotation(company, acme, wh, lines, by=rep).pk, by=rep, on_date=JUNE_1)
    cancelled = orders.invoice(first.pk, on_date=JUNE_1, by=rep)
    orders.invoice(second.pk, on_date=JUNE_1, by=rep)
    cancel_invoice(cancelled.pk, date=JUNE_2, reason="wrong price list")
    left_as_before_the_fix(first, cancelled, D(2))
    # When
    upgrade.release_invoices_cancelled_before(apps, None)
    # Then
    states = dict(
        SalesOrder.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "invoice_status")
    )
    assert states == {first.pk: "nothing", second.pk: "full"}
    assert sorted(
        SalesOrderLine.objects.filter(order__in=[first, second]).values_list(
            "order_id", "quantity_invoiced"
        )
    ) == [(first.pk, D(0)), (second.pk, D(2))]
    assert not InvoicedQuantity.objects.filter(invoice=cancelled).exists()
    assert InvoicedQuantity.objects.filter(order_line__order=second).count() == 1
    again = orders.invoice(first.pk, on_date=JUNE_2, by=rep)
    assert (again.status, again.amount_total) == ("posted", D("110.00"))


def test_the_upgrade_leaves_a_database_without_such_invoices_as_it_was(
    company, wh, gadget, acme, rep, vat
):
    """Given an invoiced order and an order whose invoice was cancelled by today's
    Keel (already released); When the upgrade runs; Then nothing changes."""
    lines = [{"product": gadget, "quantity": 2, "taxes": [vat]}]
    kept = orders.confirm(quotation(company, acme, wh, lines, by=rep).pk, by=rep, on_date=JUNE_1)
    released = orders.confirm(
        quotation(company, acme, wh, lines, by=rep).pk, by=rep, on_date=JUNE_1
    )
    orders.invoice(kept.pk, on_date=JUNE_1, by=rep)
    cancel_invoice(orders.invoice(released.pk, on_date=JUNE_1, by=rep).pk, date=JUNE_2, reason="x")
    before = sorted(SalesOrderLine.objects.values_list("pk", "quantity_invoiced"))
    statuses = sorted(SalesOrder.objects.values_list("pk", "invoice_status", "payment_status"))

    upgrade.release_invoices_cancelled_before(apps, None)

    assert sorted(SalesOrderLine.objects.values_list("pk", "quantity_invoiced")) == before
    assert sorted(SalesOrder.objects.values_list("pk", "invoice_status", "payment_status")) == (
        statuses
    )
    assert InvoicedQuantity.objects.count() == 1
