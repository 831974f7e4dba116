"""Concurrency on PostgreSQL: sixteen reps confirm orders for the last ten units at
the same moment. Confirmation sets the stock aside under the stock level's row lock
and refuses an order whose stock promised for today cannot be set aside in full, so
exactly the orders that fit are confirmed and reserved, the others are refused with
the reason, and nothing is oversold."""

from __future__ import annotations

import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.core.tests.concurrency import run_together
from keel.inventory.errors import InsufficientStock
from keel.inventory.models import StockLevel, StockMove, Transfer
from keel.inventory.tests.factories import product, receive

from ..models import Quotation, SalesOrder
from ..services import orders
from .factories import customer, quotation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
THREADS = 16
JUNE_1 = dt.date(2026, 6, 1)
REFUSAL = re.compile(
    r"^(SQ/\d+) cannot be confirmed now: only (\d+) of (\d+) units of \[LAST\] Last ten are "
    r"available; quote a later promise date or confirm again when stock arrives\.$"
)


def confirm_all_at_once(company, wh, books, quantities: list[int]):
    """Sixteen quotations of the last ten units (one per customer, each promised for
    today when it was made), confirmed by sixteen threads released together; returns
    the product, the quotations and what the threads raised."""
    item = product(company, name="Last ten", sku="LAST", sale_price=D("10.00"))
    receive(wh, item, 10, unit_cost="6.00", on_date=dt.date(2026, 5, 4))
    quotes = [
        quotation(company, customer(company, f"Buyer {n}"), wh, [{"product": item, "quantity": q}])
        for n, q in enumerate(quantities)
    ]
    assert {q.lines.get().promise_date for q in quotes} == {JUNE_1}
    waiting, pick = list(quotes), threading.Lock()

    def rep() -> None:
        with pick:
            mine = waiting.pop()
        orders.confirm(mine.pk, on_date=JUNE_1)

    return item, quotes, run_together(rep, THREADS)


def check_nothing_oversold(item, quotes, errors) -> tuple[int, list[int]]:
    """Every thread either confirmed a fully reserved order or was refused with the
    reason and left nothing behind; returns the units reserved and the refused
    quantities."""
    # Every failure is the clear refusal, none a deadlock or a database error
    assert all(isinstance(error, InsufficientStock) for error in errors), errors
    refused = {}
    for error in errors:
        number, available, wanted = REFUSAL.match(error.detail).groups()
        assert int(available) < int(wanted)
        refused[number] = int(wanted)
    by_number = {q.number: q for q in quotes}
    confirmed = SalesOrder.objects.filter(status="confirmed")
    assert confirmed.count() + len(refused) == THREADS
    # A refused quotation is still as it was: no order, no delivery, no reservation
    assert set(Quotation.objects.filter(status="draft").values_list("number", flat=True)) == set(
        refused
    )
    assert not SalesOrder.objects.filter(quotation__in=[by_number[n] for n in refused]).exists()
    # Each confirmed order's delivery is reserved in full
    deliveries = Transfer.objects.filter(kind="delivery")
    assert deliveries.count() == confirmed.count()
    assert set(deliveries.values_list("status", flat=True)) <= {"ready"}
    moves = StockMove.objects.filter(transfer__in=deliveries)
    assert all(m.quantity_reserved == m.quantity for m in moves)
    reserved = moves.aggregate(total=Sum("quantity_reserved"))["total"] or D(0)
    level = StockLevel.objects.get(product=item, location__usage="internal")
    assert (level.on_hand, level.reserved) == (D(10), reserved)
    assert level.reserved <= level.on_hand
    # Order numbers stayed gapless though some confirmations rolled back
    assert sorted(confirmed.values_list("number", flat=True)) == [
        f"SO/{n:05d}" for n in range(1, confirmed.count() + 1)
    ]
    return int(reserved), sorted(refused.values())


def test_sixteen_reps_confirm_one_unit_each_of_the_last_ten(company, wh, books):
    """Given 10 units on hand and 16 quotations of 1 unit, each promised for today;
    When 16 threads confirm them at the same moment;
    Then exactly 10 orders are confirmed with their unit reserved, 6 are refused
    "only 0 of 1 units of [LAST] Last ten are available", 10 reserved of 10 on hand."""
    # Given / When
    item, quotes, errors = confirm_all_at_once(company, wh, books, [1] * THREADS)
    # Then
    reserved, refused = check_nothing_oversold(item, quotes, errors)
    assert (reserved, refused) == (10, [1] * 6)
    assert SalesOrder.objects.filter(status="confirmed").count() == 10
    assert {REFUSAL.match(e.detail).group(2) for e in errors} == {"0"}


def test_sixteen_reps_confirm_mixed_quantities_of_the_last_ten(company, wh, books):
    """Given 10 units on hand and 16 quotations of 1 to 4 units (35 in all);
    When 16 threads confirm them at the same moment;
    Then the orders confirmed hold what they reserved, at most 10, and no refused
    order would have fitted in what is left (it was refused because less was left
    than it asked for)."""
    quantities = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 1, 1, 2]
    item, quotes, errors = confirm_all_at_once(company, wh, books, quantities)
    reserved, refused = check_nothing_oversold(item, quotes, errors)
    left = 10 - reserved
    assert 0 <= left < min(refused)
    confirmed = sorted(
        int(line.quantity)
        for order in SalesOrder.objects.filter(status="confirmed").prefetch_related("lines")
        for line in order.lines.all()
    )
    assert sum(confirmed) == reserved
    assert sorted(confirmed + refused) == sorted(quantities)
