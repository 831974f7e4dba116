"""Quotations and orders beyond the main scenario: invoicing on ordered quantities,
a deal won at what was sold, a promise the stock never covers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.crm.models import Opportunity
from keel.crm.services.opportunities import create_opportunity
from keel.inventory.services import validation

from ..selectors import deliveries_of
from ..services import orders, quotations
from .factories import quotation
from .test_refusals import refused

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


def test_on_ordered_quantities_everything_is_invoiced_before_delivery(
    company, wh, widget, price_list, acme, pipeline, rep
):
    """Given Ann's opportunity with Acme, no amount estimated yet;
    When she quotes 2 widgets (90.00 each by the price list) on ordered quantities,
    confirms and invoices before anything left;
    Then the deal is won at 180.00, the invoice is 180.00 for both widgets, and a
    second invoice is refused as there is nothing left to invoice."""
    # Given
    deal = create_opportunity(company=company, name="Acme pilot", party=acme, owner=rep, by=rep)
    # When
    quote = quotations.create_quotation(
        company,
        opportunity=deal,
        warehouse=wh,
        quote_date=JUNE_1,
        lines=[{"product": widget, "quantity": 2}],
        by=rep,
    )
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    document = orders.invoice(order.pk, on_date=JUNE_1, by=rep)
    # Then
    won = Opportunity.objects.get(pk=deal.pk)
    assert (won.status, won.amount) == ("won", D("180.00"))
    assert (document.amount_total, document.ref, document.party) == (
        D("180.00"),
        order.number,
        acme,
    )
    order.refresh_from_db()
    assert (order.delivery_status, order.invoice_status) == ("nothing", "full")
    refused(lambda: orders.invoice(order.pk, by=rep), "nothing_to_invoice", "nothing to invoice")


def test_a_quantity_the_stock_never_covers_has_no_promise_date(company, wh, widget, acme, rep):
    """Given 6 widgets on hand and nothing arriving;
    When Ann quotes 50;
    Then the line shows 6 available and no promise date; 5 would be promised today."""
    quote = quotation(
        company, acme, wh, [{"product": widget, "quantity": 50}], by=rep, quote_date=JUNE_1
    )
    line = quote.lines.get()
    assert (line.atp_quantity, line.promise_date) == (D(6), None)
    small = quotation(
        company, acme, wh, [{"product": widget, "quantity": 5}], by=rep, quote_date=JUNE_1
    )
    assert small.lines.get().promise_date == JUNE_1


def test_a_delivery_validated_in_the_warehouse_counts_on_the_order(
    company, wh, widget, gadget, acme, rep
):
    """Given a confirmed order of 2 widgets and 3 gadgets;
    When the warehouse validates 1 widget and the 3 gadgets on its own page (inventory's
    service, not sales');
    Then the order counts them: partly delivered, 1 widget left on the backorder."""
    quote = quotation(
        company,
        acme,
        wh,
        [{"product": widget, "quantity": 2}, {"product": gadget, "quantity": 3}],
        by=rep,
    )
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    (delivery,) = deliveries_of(order)
    moves = {m.product_id: m for m in delivery.moves.all()}
    validation.validate(
        delivery.pk,
        done=[
            {"move": moves[widget.pk].pk, "quantity": D(1)},
            {"move": moves[gadget.pk].pk, "quantity": D(3)},
        ],
    )
    order.refresh_from_db()
    assert order.delivery_status == "partial"
    assert [(ln.product_id, ln.quantity_delivered) for ln in order.lines.all()] == [
        (widget.pk, D(1)),
        (gadget.pk, D(3)),
    ]
    backorder = deliveries_of(order).exclude(pk=delivery.pk).get()
    assert [(m.product_id, m.quantity) for m in backorder.moves.all()] == [(widget.pk, D(1))]
