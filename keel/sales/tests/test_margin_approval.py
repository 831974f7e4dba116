"""A quotation whose margin (untaxed revenue less product cost) is below the company's
minimum waits for a sales manager's approval, like a discount above the threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.models import ApprovalRequest

from ..models import Quotation
from ..services import orders, quotations
from ..services.margins import margin_of
from .factories import quotation
from .test_refusals import refused

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


def test_a_margin_below_the_minimum_waits_for_a_manager(company, wh, gadget, acme, rep, manager):
    """Given a 40% minimum margin and gadgets costing 30.00 (average of stock);
    When Ann quotes 10 gadgets at 50.00 less 10% (450.00 revenue, 300.00 cost) and
    sends the quotation;
    Then it waits for approval: "a margin of 33.33% ($150.00) is below the 40%
    minimum"; it cannot be confirmed, Ann cannot approve it; once the manager approves,
    it is sent and confirmed."""
    # Given
    quotations.configure(company, minimum_margin="40")
    # When
    quote = quotation(
        company, acme, wh, [{"product": gadget, "quantity": 10, "discount": "10"}], by=rep
    )
    margin = margin_of(quote)
    assert (margin.revenue, margin.cost, margin.amount, margin.percent) == (
        D("450.00"),
        D("300.00"),
        D("150.00"),
        D("33.33"),
    )
    quotations.send(quote.pk, by=rep)
    # Then
    assert Quotation.objects.get(pk=quote.pk).status == "to_approve"
    request = ApprovalRequest.objects.get(object_id=str(quote.pk))
    assert (request.action, request.status, request.amount, request.reason) == (
        "margin",
        "pending",
        D("450.00"),
        f"{quote.number} for Acme Corp: a margin of 33.33% ($150.00) is below the 40% minimum",
    )
    refused(
        lambda: orders.confirm(quote.pk, by=rep, on_date=JUNE_1),
        "transition_not_allowed",
        "only a draft or sent quotation",
    )
    refused(lambda: quotations.approve_discount(quote.pk, by=rep), "own_approval", "")
    # When the manager approves
    quotations.approve_discount(quote.pk, by=manager, note="Volume deal")
    quote = Quotation.objects.get(pk=quote.pk)
    request.refresh_from_db()
    assert (request.status, quote.status, quote.margin_approved_by) == (
        "approved",
        "draft",
        manager,
    )
    assert quotations.send(quote.pk, by=rep).status == "sent"
    assert orders.confirm(quote.pk, by=rep, on_date=JUNE_1).status == "confirmed"


def test_a_draft_below_the_margin_cannot_be_confirmed(company, wh, gadget, acme, rep):
    """Given a 40% minimum; When Ann confirms a draft at 33.33% directly;
    Then it is refused naming the margin, and nothing changed."""
    quotations.configure(company, minimum_margin="40")
    quote = quotation(
        company, acme, wh, [{"product": gadget, "quantity": 10, "discount": "10"}], by=rep
    )
    refused(
        lambda: orders.confirm(quote.pk, by=rep, on_date=JUNE_1),
        "margin_needs_approval",
        f"{quote.number} has a margin of 33.33%, below the 40% minimum",
    )


def test_discount_and_margin_are_approved_together(
    company, wh, widget, price_list, acme, rep, manager
):
    """Given the 20% discount threshold and a 40% minimum margin; widgets cost 60.00
    and sell at 90.00;
    When Ann quotes 2 widgets at 25% off (135.00 revenue, 120.00 cost: 11.11%);
    Then two requests wait, and one approval by the manager clears both."""
    quotations.configure(company, minimum_margin="40")
    quote = quotation(
        company, acme, wh, [{"product": widget, "quantity": 2, "discount": "25"}], by=rep
    )
    quotations.send(quote.pk, by=rep)
    pending = ApprovalRequest.objects.filter(object_id=str(quote.pk)).order_by("id")
    assert [(r.action, r.status) for r in pending] == [
        ("discount", "pending"),
        ("margin", "pending"),
    ]
    assert pending[1].reason.endswith("a margin of 11.11% ($15.00) is below the 40% minimum")
    quotations.approve_discount(quote.pk, by=manager)
    assert [r.status for r in pending.all()] == ["approved", "approved"]
    assert quotations.send(quote.pk, by=rep).status == "sent"


def test_a_margin_at_the_minimum_is_sent(company, wh, gadget, acme, rep):
    """Given a 40% minimum; When Ann sends 10 gadgets at 50.00 (40% exactly);
    Then it is sent without approval."""
    quotations.configure(company, minimum_margin="40")
    quote = quotation(company, acme, wh, [{"product": gadget, "quantity": 10}], by=rep)
    assert quotations.send(quote.pk, by=rep).status == "sent"
    assert not ApprovalRequest.objects.exists()
