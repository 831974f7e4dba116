"""The last units, on PostgreSQL: 32 people want 1 unit each of a product with 10 on
hand, at the same moment. Exactly 10 get one, 22 are told why not, nothing is
oversold and nothing is half-made, also when the stock-level row the reservations
lock does not exist yet when the race starts, and when the orders ask for different
quantities (confirmation sets the stock aside under the stock level's row lock and
refuses an order whose stock promised for today cannot be set aside in full)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db.models import Count

from keel.accounting.tests.factories import books
from keel.core.tests.concurrency import race
from keel.core.tests.factories import CompanyFactory
from keel.core.tests.invariants import assert_invariants_hold
from keel.inventory.models import StockLevel, StockMove, Transfer
from keel.inventory.services import transfers, validation
from keel.inventory.tests.factories import delivery, product, receive, warehouse
from keel.sales.models import Quotation, SalesOrder
from keel.sales.services import orders
from keel.sales.tests.factories import customer, quotation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
THREADS = 32
JUNE_1 = dt.date(2026, 6, 1)
REFUSED_ORDER = re.compile(
    r"^SQ/\d+ cannot be confirmed now: only 0 of 1 units of \[LAST\] Last ten are available; "
    r"quote a later promise date or confirm again when stock arrives\.$"
)
REFUSED_SOME = re.compile(
    r"^(SQ/\d+) cannot be confirmed now: only (\d+) of (\d+) units of \[LAST\] Last ten are "
    r"available; quote a later promise date or confirm again when stock arrives\.$"
)
REFUSED_RESERVATION = re.compile(
    r"^Insufficient stock: nothing available in WH/Stock for WH/OUT/\d+ \(1(\.0+)? x .*\)\.$"
)


def _one_level(item) -> StockLevel:
    """The only stock-level row of `item` (a second one for the same place would be a
    duplicate created by the race)."""
    rows = StockLevel.objects.filter(product=item)
    assert not rows.values("location", "lot_key").annotate(n=Count("id")).filter(n__gt=1)
    return rows.get(location__usage="internal")


def _last_ten(company):
    """A warehouse holding 10 units of [LAST] Last ten, received on 4 May."""
    books(company)
    wh = warehouse(company)
    item = product(company, name="Last ten", sku="LAST", sale_price=D("10.00"))
    receive(wh, item, 10, unit_cost="6.00", on_date=dt.date(2026, 5, 4))
    return wh, item


def _quotations(company, wh, item, quantities: list[int]) -> list[Quotation]:
    """One draft quotation per quantity, each from its own customer, promised for today."""
    quotes = [
        quotation(
            company, customer(company, f"Buyer {n:02d}"), wh, [{"product": item, "quantity": q}]
        )
        for n, q in enumerate(quantities)
    ]
    assert {q.lines.get().promise_date for q in quotes} == {JUNE_1}
    return quotes


def test_32_reps_confirm_one_unit_each_of_the_last_10():
    """Given 10 units on hand and 32 quotations of 1 unit, each promised for today;
    When 32 reps confirm them at the same moment;
    Then exactly 10 become orders with their unit reserved, 22 are refused "only 0 of 1
    units … are available" and are still drafts with no order, delivery or
    reservation; 10 are reserved of 10 on hand and `keel check` is clean."""
    # Given
    company = CompanyFactory(name="Last Units Co")
    wh, item = _last_ten(company)
    quotes = _quotations(company, wh, item, [1] * THREADS)

    # When
    outcome = race(lambda i: orders.confirm(quotes[i].pk, on_date=JUNE_1), THREADS)

    # Then
    assert outcome.errors == []
    assert (len(outcome.done), len(outcome.refused)) == (10, 22)
    assert {r.code for r in outcome.refused} == {"insufficient_stock"}
    assert all(REFUSED_ORDER.match(r.detail) for r in outcome.refused), outcome.refused[0].detail
    confirmed = {quotes[i].pk for i in outcome.done}
    assert set(SalesOrder.objects.values_list("quotation_id", flat=True)) == confirmed
    assert set(Quotation.objects.filter(status="draft").values_list("pk", flat=True)) == (
        {q.pk for q in quotes} - confirmed
    )
    deliveries = Transfer.objects.filter(kind="delivery")
    assert sorted(deliveries.values_list("status", flat=True)) == ["ready"] * 10
    moves = StockMove.objects.filter(transfer__in=deliveries)
    assert sorted(moves.values_list("quantity_reserved", flat=True)) == [D(1)] * 10
    level = _one_level(item)
    assert (level.on_hand, level.reserved, level.outgoing) == (D(10), D(10), D(10))
    assert sorted(SalesOrder.objects.values_list("number", flat=True)) == [
        f"SO/{n:05d}" for n in range(1, 11)
    ]
    assert_invariants_hold(company)


def test_32_reservations_race_the_first_receipt_of_a_product_that_never_had_stock():
    """Given a product that has never been in the warehouse: no stock-level row exists;
    When 32 clerks each confirm and reserve a delivery of 1 while a 33rd confirms and
    validates the first receipt of 10, all at the same moment, and then the clerks
    whose delivery is still waiting all reserve again at once;
    Then the one row for WH/Stock was created once (no duplicate-key error leaked
    out), exactly 10 deliveries hold a unit and 22 wait, every refusal was the clear
    insufficient-stock message, and at no point more was reserved than on hand."""
    # Given
    company = CompanyFactory(name="Fresh Stock Co")
    books(company)
    wh = warehouse(company)
    item = product(company, name="Fresh", sku="FRESH")
    assert not StockLevel.objects.filter(product=item).exists()
    made: dict[int, int] = {}

    def clerk_or_receiver(index: int) -> None:
        if index == THREADS:  # the receiver
            receipt = transfers.create_transfer(
                company,
                kind=Transfer.Kind.RECEIPT,
                warehouse=wh,
                scheduled_date=JUNE_1,
                lines=[{"product": item, "quantity": D(10)}],
            )
            transfers.confirm(receipt.pk)
            validation.validate(receipt.pk, on_date=JUNE_1)
            return
        out = delivery(wh, item, D(1), on_date=JUNE_1)
        made[index] = out.pk
        transfers.confirm(out.pk)
        transfers.reserve(out.pk)

    # When: the first round, racing the receipt
    first = race(clerk_or_receiver, THREADS + 1)
    assert first.errors == []
    assert THREADS in first.done  # the receipt went through
    assert len(made) == THREADS  # every delivery was made and confirmed
    level = _one_level(item)
    assert level.on_hand == D(10) and D(0) <= level.reserved <= D(10)
    waiting = sorted(
        Transfer.objects.filter(kind="delivery", status="waiting").values_list("pk", flat=True)
    )
    assert len(waiting) == THREADS - level.reserved
    # ...and the second round: whoever still waits tries again, all at once
    second = race(lambda i: transfers.reserve(waiting[i]), len(waiting))

    # Then
    assert second.errors == []
    refused = first.refused + second.refused
    assert {r.code for r in refused} == {"insufficient_stock"}
    assert all(REFUSED_RESERVATION.match(r.detail) for r in refused), refused[0].detail
    assert len(second.refused) == 22
    statuses = Transfer.objects.filter(kind="delivery").values_list("status", flat=True)
    assert sorted(statuses) == ["ready"] * 10 + ["waiting"] * 22
    level = _one_level(item)
    assert (level.on_hand, level.reserved, level.outgoing) == (D(10), D(10), D(32))
    assert_invariants_hold(company)


def test_16_reps_confirm_1_to_4_units_each_of_the_last_10():
    """Given 10 units on hand and 16 quotations of 1 to 4 units (35 in all), each
    promised for today;
    When 16 reps confirm them at the same moment;
    Then each confirmed order holds its units reserved in full, at most 10 in all; each
    refused one was told how many were left ("only N of M units", N < M), is still a
    draft with no order, and would not fit in what is left now; order numbers have no
    gap though refused confirmations rolled back; `keel check` is clean."""
    # Given
    quantities = [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 1, 1, 2]
    company = CompanyFactory(name="Mixed Units Co")
    wh, item = _last_ten(company)
    quotes = _quotations(company, wh, item, quantities)

    # When
    outcome = race(lambda i: orders.confirm(quotes[i].pk, on_date=JUNE_1), len(quotes))

    # Then
    assert outcome.errors == []
    assert {r.code for r in outcome.refused} == {"insufficient_stock"}
    reserved = sum(quantities[i] for i in outcome.done)
    left = 10 - reserved
    told = [REFUSED_SOME.match(r.detail).groups() for r in outcome.refused]
    assert all(left <= int(available) < int(wanted) for _, available, wanted in told), told
    assert 0 <= left < min(int(wanted) for _, _, wanted in told)
    confirmed = {quotes[i].pk for i in outcome.done}
    assert set(SalesOrder.objects.values_list("quotation_id", flat=True)) == confirmed
    assert set(Quotation.objects.filter(status="draft").values_list("number", flat=True)) == {
        number for number, _, _ in told
    }
    assert len(outcome.done) + len(told) == 16
    deliveries = Transfer.objects.filter(kind="delivery")
    assert sorted(deliveries.values_list("status", flat=True)) == ["ready"] * len(confirmed)
    moves = StockMove.objects.filter(transfer__in=deliveries)
    assert sorted(moves.values_list("quantity", "quantity_reserved")) == sorted(
        (D(quantities[i]), D(quantities[i])) for i in outcome.done
    )
    level = _one_level(item)
    assert (level.on_hand, level.reserved, level.outgoing) == (D(10), D(reserved), D(reserved))
    assert sorted(SalesOrder.objects.values_list("number", flat=True)) == [
        f"SO/{n:05d}" for n in range(1, len(confirmed) + 1)
    ]
    assert_invariants_hold(company)
