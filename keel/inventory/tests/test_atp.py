"""Available to promise, the earliest date a quantity can be promised, and the projected
stock day by day, from on hand, reservations and dated open moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ..selectors import (
    available_to_promise,
    earliest_date_for,
    positions,
    projected_on_hand,
)
from ..services import transfers
from .factories import MAY_4, bin_in, delivery, receive, warehouse

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = MAY_4


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def confirmed(transfer):
    return transfers.confirm(transfer.pk)


@pytest.fixture
def story(company, wh, widget):
    """Given 10 Widgets on hand, 3 of them reserved for a delivery today, a delivery of
    12 on day +3 (confirmed, nothing reserved) and a receipt of 20 on day +5."""
    receive(wh, widget, 10)
    reserved = confirmed(delivery(wh, widget, 3))
    transfers.reserve(reserved.pk)
    confirmed(delivery(wh, widget, 12, on_date=day(3)))
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=day(5),
        lines=[{"product": widget, "quantity": D(20)}],
    )
    confirmed(receipt)
    return wh, widget


def test_available_to_promise_day_by_day(story):
    """Then 7 can be promised today, -5 on day +3 (12 promised, 7 there: 5 short),
    still -5 on day +4, and 15 from day +5 when the 20 arrive."""
    wh, widget = story
    assert available_to_promise(widget, wh, TODAY) == D(7)
    assert available_to_promise(widget, wh, day(2)) == D(7)
    assert available_to_promise(widget, wh, day(3)) == D(-5)
    assert available_to_promise(widget, wh, day(4)) == D(-5)
    assert available_to_promise(widget, wh, day(5)) == D(15)
    assert available_to_promise(widget, wh, day(60)) == D(15)


def test_earliest_date_keeps_what_is_already_promised(story):
    """Then 15 can be promised from day +5; so can 5, because the 7 there today are
    needed by the delivery of day +3; 16 never (with the moves known)."""
    wh, widget = story
    assert earliest_date_for(widget, wh, 15, today=TODAY) == day(5)
    assert earliest_date_for(widget, wh, D(5), today=TODAY) == day(5)
    assert earliest_date_for(widget, wh, 16, today=TODAY) is None
    assert earliest_date_for(widget, wh, D("-5"), today=TODAY) == TODAY


def test_projected_on_hand_series(story):
    """Then the series over 6 days reads on hand 7 (the 3 leave today), 7, 7, -5, -5, 15,
    15 and available 7, 7, 7, -5, -5, 15, 15."""
    wh, widget = story
    series = projected_on_hand(widget, wh, 6, start=TODAY)
    assert [d.date for d in series] == [day(n) for n in range(7)]
    assert [d.on_hand for d in series] == [D(v) for v in (7, 7, 7, -5, -5, 15, 15)]
    assert [d.available for d in series] == [D(v) for v in (7, 7, 7, -5, -5, 15, 15)]


def test_drafts_internal_moves_and_other_warehouses(company, wh, widget):
    """Given 10 Widgets in WH, a draft delivery of 4, an internal move of 6 to a bin,
    and a transfer of 5 from WH to EU dated day +2; Then WH promises 10 until day +1
    and 5 from day +2, EU 0 then 5: drafts count for nothing and the internal move
    neither adds nor takes."""
    receive(wh, widget, 10)
    delivery(wh, widget, 4)
    shelf = bin_in(wh, "A1")
    internal = confirmed(
        transfers.create_transfer(
            company,
            kind="internal",
            warehouse=wh,
            destination=shelf,
            scheduled_date=TODAY,
            lines=[{"product": widget, "quantity": D(6)}],
        )
    )
    transfers.reserve(internal.pk)
    eu = warehouse(company, "EU", "Europe")
    confirmed(
        transfers.create_transfer(
            company,
            kind="internal",
            warehouse=wh,
            destination=eu.stock_location,
            scheduled_date=day(2),
            lines=[{"product": widget, "quantity": D(5)}],
        )
    )
    assert available_to_promise(widget, wh, day(1)) == D(10)
    assert available_to_promise(widget, wh, day(2)) == D(5)
    assert available_to_promise(widget, eu, day(1)) == D(0)
    assert available_to_promise(widget, eu, day(2)) == D(5)
    assert earliest_date_for(widget, eu, 5, today=TODAY) == day(2)


def test_overdue_moves_count_as_due_today(company, wh, widget):
    """Given a receipt of 8 scheduled for day -3 and still open; Then it counts today."""
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=day(-3),
        lines=[{"product": widget, "quantity": D(8)}],
    )
    confirmed(receipt)
    assert available_to_promise(widget, wh, TODAY) == D(8)
    assert [d.available for d in projected_on_hand(widget, wh, 1, start=TODAY)] == [D(8), D(8)]


def test_two_queries_whatever_the_number_of_moves_and_warehouses(
    story, company, django_assert_num_queries
):
    """The figures cost two queries (levels, open moves), for one warehouse or several,
    with 2 or 12 open moves."""
    wh, widget = story
    eu = warehouse(company, "EU", "Europe")
    with django_assert_num_queries(2):
        available_to_promise(widget, wh, day(3))
    with django_assert_num_queries(2):
        projected_on_hand(widget, wh, 90, start=TODAY)
    for offset in range(10):
        confirmed(delivery(wh, widget, 1, on_date=day(offset)))
    with django_assert_num_queries(2):
        found = positions(widget, [wh, eu])
    assert len(found[wh.pk].moves) == 13 and found[eu.pk].moves == []
    with django_assert_num_queries(2):
        assert earliest_date_for(widget, wh, 5, today=TODAY) == day(5)
