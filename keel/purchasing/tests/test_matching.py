"""Three-way match: a bill beyond the tolerance waits on hold with the reason;
only someone allowed to may release it, and then it posts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.accounting.models import AccountRole, Invoice
from keel.core.errors import PermissionRefused

from ..errors import NothingToBill, NotOnHold
from ..models import BillMatch
from ..services import bills, receipts
from .factories import confirmed_order
from .scenarios.test_procure_to_pay import balance
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_5 = dt.date(2026, 6, 5)


@pytest.fixture
def received(company, books, wh, bracket, vendors, buyer):
    """A confirmed order of 10 brackets at 100.00 from Acme, all received."""
    order = confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)
    line = order.lines.get()
    receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": 10}], on_date=JUNE_5)
    return order


def test_a_bill_8_percent_above_the_order_price_is_held_with_the_reason(
    received, buyer, accountant
):
    """Given 10 brackets ordered and received at 100.00, and the default 5% tolerance;
    When Acme bills them at 108.00 (8% more);
    Then the bill stays a draft on hold saying why, nothing reaches payable, and the
    order is not billed; an accountant's release posts it (1,080.00)."""
    line = received.lines.get()
    # When Acme bills 8% above the order price
    match = bills.bill_order(
        received.pk,
        date=JUNE_5,
        lines=[{"line": line.pk, "quantity": 10, "unit_price": "108.00"}],
        by=buyer,
    )
    # Then it is held with the reason
    assert match.status == BillMatch.Status.ON_HOLD
    assert match.hold_reason == (
        "[BRK] Steel bracket: billed at 108.00 USD, ordered at 100.00 USD (+8.00%, tolerance "
        "5.00%)."
    )
    bill = Invoice.objects.get(pk=match.bill_id)
    assert (bill.status, bill.amount_total) == ("draft", D("1080.00"))
    assert balance(received.company, AccountRole.PAYABLE) == D(0)
    received.refresh_from_db()
    assert received.status == "received"
    # An accountant releases it: it posts
    released = bills.release_hold(match.pk, by=accountant, note="Steel surcharge agreed")
    bill.refresh_from_db()
    assert (released.status, released.released_by, bill.status) == (
        "released",
        accountant,
        "posted",
    )
    assert balance(received.company, AccountRole.PAYABLE) == D("-1080.00")
    # 80.00 of price difference stays on stock interim (received) for the accountant
    assert balance(received.company, AccountRole.STOCK_INTERIM_RECEIVED) == D("80.00")
    received.refresh_from_db()
    assert received.status == "billed"


def test_a_user_without_the_permission_cannot_release_a_held_bill(received, buyer):
    """Given a bill held for its price; When the buyer who ordered tries to release it;
    Then it is refused with release_not_allowed and nothing changed."""
    line = received.lines.get()
    match = bills.bill_order(
        received.pk,
        date=JUNE_5,
        lines=[{"line": line.pk, "quantity": 10, "unit_price": "108.00"}],
        by=buyer,
    )
    before = state()
    with pytest.raises(PermissionRefused) as refused:
        bills.release_hold(match.pk, by=buyer)
    assert refused.value.code == "release_not_allowed"
    assert state() == before


def test_a_bill_within_the_tolerance_posts_at_once(received, buyer, accountant):
    """Given 10 brackets at 100.00; When billed at 104.00 (4%, within 5%); Then it is
    matched and posted; releasing it is refused (it is not on hold)."""
    line = received.lines.get()
    match = bills.bill_order(
        received.pk,
        date=JUNE_5,
        lines=[{"line": line.pk, "quantity": 10, "unit_price": "104.00"}],
        by=buyer,
    )
    bill = Invoice.objects.get(pk=match.bill_id)
    assert (match.status, bill.status, bill.amount_total) == (
        "matched",
        "posted",
        D("1040.00"),
    )
    with pytest.raises(NotOnHold):
        bills.release_hold(match.pk, by=accountant)


def test_billing_more_than_received_beyond_the_tolerance_is_held(received, buyer):
    """Given 10 brackets received; When the vendor bills 12 (20% more than received);
    Then the bill is held with the quantity reason."""
    line = received.lines.get()
    match = bills.bill_order(
        received.pk, date=JUNE_5, lines=[{"line": line.pk, "quantity": 12}], by=buyer
    )
    assert match.status == "on_hold"
    assert match.hold_reason == (
        "[BRK] Steel bracket: 12 billed but 10 received and not yet billed (tolerance 5.00%)."
    )


def test_a_bill_limited_to_received_refuses_when_all_is_billed(received, buyer):
    """Given everything received is billed; When billed again; Then NothingToBill,
    nothing changed."""
    bills.bill_order(received.pk, date=JUNE_5, by=buyer)
    before = state()
    with pytest.raises(NothingToBill):
        bills.bill_order(received.pk, date=JUNE_5, by=buyer)
    assert state() == before
