"""The credit check on confirmation (hold, release by a manager, refused to a rep)
and the approval of a discount above the threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.accounting.tests.factories import invoice as posted_invoice
from keel.core.models import ApprovalRequest
from keel.inventory.models import Transfer

from ..models import Quotation, SalesOrder
from ..selectors import deliveries_of
from ..services import orders, quotations
from .factories import customer, quotation
from .test_refusals import refused

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = dt.date(2026, 6, 1)


@pytest.fixture
def limited(company, books):
    """Acme may owe 1,000.00 and already owes 1,500.00 on a posted invoice."""
    party = customer(company, "Limited Acme", credit_limit=D("1000.00"))
    posted_invoice(
        company,
        party,
        [{"description": "Earlier order", "quantity": 1, "unit_price": "1500.00"}],
        date=dt.date(2026, 5, 15),
    )
    return party


def test_an_order_over_the_credit_limit_is_held_and_released_by_a_manager(
    company, wh, gadget, limited, rep, manager
):
    """Given Acme, 1,500.00 open against a 1,000.00 limit;
    When Ann confirms 15 gadgets (750.00), she tries to deliver and to release it,
    and the sales manager releases it;
    Then the order is held "exceeds ... credit limit by $1,250.00", nothing is
    reserved, Ann is refused, and the manager's release is recorded and reserves the
    gadgets."""
    # Given
    quote = quotation(company, limited, wh, [{"product": gadget, "quantity": 15}], by=rep)
    # When Ann confirms it
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    # Then it is on hold with the exact reason, and nothing is reserved
    assert (order.status, order.hold_reason) == (
        "on_hold",
        f"{order.number} exceeds Limited Acme's credit limit by $1,250.00",
    )
    assert not deliveries_of(order).exists()
    # Ann can neither deliver nor release it
    refused(lambda: orders.deliver(order.pk, by=rep), "order_on_credit_hold", "credit limit")
    refused(
        lambda: orders.release_hold(order.pk, by=rep, note="Good customer"),
        "release_not_allowed",
        "Only a sales manager or an accountant",
    )
    # When the manager releases it
    orders.release_hold(order.pk, by=manager, note="Paid by wire tomorrow")
    # Then who, when and why are kept, and the gadgets are reserved
    order = SalesOrder.objects.get(pk=order.pk)
    assert (order.status, order.released_by, order.release_note) == (
        "confirmed",
        manager,
        "Paid by wire tomorrow",
    )
    assert order.released_at is not None
    assert [h.status for h in order.history.order_by("history_id")][-1] == "confirmed"
    (delivery,) = deliveries_of(order)
    assert (delivery.status, delivery.moves.get().quantity_reserved) == (
        Transfer.Status.READY,
        D(15),
    )
    refused(
        lambda: orders.release_hold(order.pk, by=manager), "order_not_on_hold", "not on credit hold"
    )


def test_within_the_limit_the_order_is_confirmed(company, wh, gadget, books, rep):
    """Given a customer with a 1,000.00 limit and nothing open;
    When Ann confirms 20 gadgets (1,000.00, exactly the limit);
    Then the order is confirmed, not held."""
    party = customer(company, "Careful Co", credit_limit=D("1000.00"))
    quote = quotation(company, party, wh, [{"product": gadget, "quantity": 20}], by=rep)
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    assert (order.status, order.hold_reason, order.amount_total) == ("confirmed", "", D("1000.00"))


def test_a_discount_above_the_threshold_waits_for_a_manager(
    company, wh, widget, price_list, acme, rep, other_rep, manager
):
    """Given the default 20% threshold;
    When Ann quotes 10 widgets at 25% off and sends the quotation;
    Then it waits for approval (225.00 of discount), cannot be confirmed, neither Ann
    (her own) nor Bob (no right) can approve it; once the manager approves, it is sent
    and confirmed."""
    # Given / When
    quote = quotation(
        company, acme, wh, [{"product": widget, "quantity": 10, "discount": "25"}], by=rep
    )
    assert quote.amount_total == D("675.00")
    quotations.send(quote.pk, by=rep)
    # Then it waits for a sales manager
    assert Quotation.objects.get(pk=quote.pk).status == "to_approve"
    request = ApprovalRequest.objects.get(object_id=str(quote.pk), action="discount")
    assert (request.status, request.amount, request.reason) == (
        "pending",
        D("225.00"),
        f"{quote.number} for Acme Corp: a discount of 25% is above the 20% threshold",
    )
    refused(
        lambda: orders.confirm(quote.pk, by=rep, on_date=JUNE_1),
        "transition_not_allowed",
        "only a draft or sent quotation",
    )
    refused(lambda: quotations.approve_discount(quote.pk, by=rep), "own_approval", "")
    refused(
        lambda: quotations.approve_discount(quote.pk, by=other_rep), "approver_role_required", ""
    )
    # When the manager approves
    quotations.approve_discount(quote.pk, by=manager, note="Strategic account")
    request.refresh_from_db()
    assert (request.status, Quotation.objects.get(pk=quote.pk).status) == ("approved", "draft")
    quotations.send(quote.pk, by=rep)
    order = orders.confirm(quote.pk, by=rep, on_date=JUNE_1)
    assert (order.status, order.amount_total) == ("confirmed", D("675.00"))


def test_a_draft_with_an_unapproved_discount_cannot_be_confirmed(company, wh, widget, acme, rep):
    """Given a draft at 25% off, never sent; When Ann confirms it directly;
    Then it is refused until a manager approves the discount."""
    quote = quotation(
        company, acme, wh, [{"product": widget, "quantity": 1, "discount": "25"}], by=rep
    )
    refused(
        lambda: orders.confirm(quote.pk, by=rep, on_date=JUNE_1),
        "discount_needs_approval",
        "above 20%",
    )


def test_the_threshold_is_configurable(company, wh, widget, acme, rep):
    """Given the threshold raised to 30%; When a 25% discount is sent;
    Then it is sent without approval."""
    quotations.configure(company, discount_threshold="30")
    quote = quotation(
        company, acme, wh, [{"product": widget, "quantity": 1, "discount": "25"}], by=rep
    )
    assert quotations.send(quote.pk, by=rep).status == "sent"
    assert not ApprovalRequest.objects.exists()


def test_a_manager_approves_a_discount_through_the_api(
    company, wh, widget, price_list, acme, rep, manager, api_as
):
    """Found by the API fuzzing: POST /quotations/{id}/approve-discount/ answered 500 for
    everyone allowed to approve (the approval request's object rule was applied to the
    quotation). Given Ann's quotation at 25% off waiting for approval;
    When the sales manager approves it through the API; then 200, the quotation is a
    draft again and the request approved; Ann herself is refused (403, her own)."""
    quote = quotation(
        company, acme, wh, [{"product": widget, "quantity": 10, "discount": "25"}], by=rep
    )
    quotations.send(quote.pk, by=rep)
    url = f"/api/v1/quotations/{quote.pk}/approve-discount/"

    own = api_as(rep).post(url, {"note": "Please"}, format="json")
    approved = api_as(manager).post(url, {"note": "Strategic account"}, format="json")

    assert own.status_code == 403
    assert (approved.status_code, approved.json()["status"]) == (200, "draft")
    request = ApprovalRequest.objects.get(object_id=str(quote.pk), action="discount")
    assert (request.status, request.decided_by_id) == ("approved", manager.pk)
