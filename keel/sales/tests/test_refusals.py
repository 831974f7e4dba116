"""Bad input and refused actions: each says why, with a stable code, and leaves the
database as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.errors import DomainError
from keel.crm.services.opportunities import create_opportunity

from ..services import orders, quotations
from .factories import quotation
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal


def refused(action, code: str, detail: str) -> DomainError:
    """Run `action`, expect a DomainError with `code` whose message contains `detail`,
    and check that nothing changed."""
    before = state()
    with pytest.raises(DomainError) as caught:
        action()
    assert caught.value.code == code
    assert detail in caught.value.detail
    assert state() == before
    return caught.value


def test_an_expired_quotation_is_not_confirmed(company, wh, widget, acme, rep):
    """Given a quotation of 1 June valid until 10 June;
    When Ann confirms it on 11 June;
    Then it is refused as expired, and no order, delivery or reservation exists."""
    # Given
    quote = quotation(
        company,
        acme,
        wh,
        [{"product": widget, "quantity": 2}],
        by=rep,
        valid_until=dt.date(2026, 6, 10),
    )
    quotations.send(quote.pk, by=rep)
    # When / Then
    refused(
        lambda: orders.confirm(quote.pk, by=rep, on_date=dt.date(2026, 6, 11)),
        "quotation_expired",
        f"{quote.number} expired on 2026-06-10",
    )


def test_an_undelivered_line_is_not_invoiced_on_delivered_quantities(
    company, wh, widget, gadget, acme, rep
):
    """Given an order "on delivered quantities" of 2 widgets and 3 gadgets, of which
    only the widgets left;
    When Ann invoices the gadget line;
    Then it is refused (nothing of it was delivered) and no invoice exists."""
    # Given
    quote = quotation(
        company,
        acme,
        wh,
        [{"product": widget, "quantity": 2}, {"product": gadget, "quantity": 3}],
        by=rep,
        invoicing_policy="delivered",
    )
    order = orders.confirm(quote.pk, by=rep, on_date=dt.date(2026, 6, 1))
    orders.deliver(order.pk, quantities={widget.pk: 2, gadget.pk: 0}, by=rep)
    gadget_line = order.lines.get(product=gadget)
    # When / Then
    refused(
        lambda: orders.invoice(order.pk, lines=[gadget_line.pk], by=rep),
        "line_not_delivered",
        "nothing more of",
    )


def test_nothing_delivered_means_nothing_to_invoice(company, wh, widget, acme, rep):
    """Given an order on delivered quantities, nothing delivered;
    When it is invoiced; Then it is refused with nothing_to_invoice."""
    quote = quotation(
        company,
        acme,
        wh,
        [{"product": widget, "quantity": 2}],
        by=rep,
        invoicing_policy="delivered",
    )
    order = orders.confirm(quote.pk, by=rep, on_date=dt.date(2026, 6, 1))
    refused(lambda: orders.invoice(order.pk, by=rep), "nothing_to_invoice", "nothing delivered")


@pytest.mark.parametrize("quantity", ["-3", "0", "abc"])
def test_a_quantity_must_be_a_positive_number(company, wh, widget, acme, rep, quantity):
    """Given a customer and a widget;
    When a quotation line asks for -3, 0 or 'abc' widgets;
    Then it is refused on that line's quantity and no quotation exists."""
    error = refused(
        lambda: quotation(company, acme, wh, [{"product": widget, "quantity": quantity}], by=rep),
        "invalid",
        "",
    )
    assert error.field == "lines[1].quantity"


def test_a_negative_delivered_quantity_is_refused(company, wh, widget, acme, rep):
    """Given a confirmed order of 2 widgets;
    When Ann delivers -1 of them; Then it is refused and nothing moved."""
    quote = quotation(company, acme, wh, [{"product": widget, "quantity": 2}], by=rep)
    order = orders.confirm(quote.pk, by=rep, on_date=dt.date(2026, 6, 1))
    refused(
        lambda: orders.deliver(order.pk, quantities={widget.pk: "-1"}, by=rep),
        "invalid",
        "A delivered quantity must be zero or more (got -1)",
    )


def test_a_rep_cannot_confirm_another_reps_quotation(company, wh, widget, acme, rep, other_rep):
    """Given Ann's quotation; When Bob confirms it; Then he is refused."""
    quote = quotation(company, acme, wh, [{"product": widget, "quantity": 1}], by=rep)
    refused(
        lambda: orders.confirm(quote.pk, by=other_rep, on_date=dt.date(2026, 6, 1)),
        "permission_denied",
        "only its owner or a sales manager",
    )


def test_a_rep_cannot_quote_another_reps_opportunity(
    company, wh, widget, acme, pipeline, rep, other_rep
):
    """Given Ann's opportunity; When Bob quotes it; Then he is refused, no quotation."""
    deal = create_opportunity(company=company, name="Ann's deal", party=acme, owner=rep, by=rep)
    refused(
        lambda: quotations.create_quotation(
            company,
            opportunity=deal,
            warehouse=wh,
            lines=[{"product": widget, "quantity": 1}],
            by=other_rep,
        ),
        "permission_denied",
        "only its owner or a sales manager can quote it",
    )
