"""Inventory counts as a story: a count sheet expects what is on hand, the
differences become adjustments to and from Virtual/Inventory loss, valued and posted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.models import JournalEntry, JournalLine
from keel.accounting.tests.factories import books
from keel.core.errors import TransitionNotAllowed
from keel.core.models import OutboxEvent
from keel.products.tests.factories import ProductCategoryFactory

from ..errors import InvalidQuantity
from ..models import CountLine, InventoryCount, StockLevel, StockMove, ValuationLayer
from ..selectors import check_valuation, level_differences
from ..services import counts
from .factories import product, receive

pytestmark = pytest.mark.django_db
D = Decimal
MAY_4, MAY_5, MAY_9 = dt.date(2026, 5, 4), dt.date(2026, 5, 5), dt.date(2026, 5, 9)


def on_hand(item, location) -> Decimal:
    return StockLevel.objects.get(product=item, location=location, lot_key=0).on_hand


def stock_balance(company) -> Decimal:
    sums = JournalLine.objects.filter(company=company, account__role="stock").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return sums["d"] - sums["c"]


@pytest.fixture
def gears(company, wh):
    """Books, and 10 gears on hand in WH/Stock at an average of 11.50 (5 @ 10.00 and
    5 @ 13.00): the stock account holds 115.00."""
    books(company)
    gear = product(company, name="Gear", sku="GEAR")
    receive(wh, gear, 5, unit_cost="10.00", on_date=MAY_4)
    receive(wh, gear, 5, unit_cost="13.00", on_date=MAY_5)
    return gear


def test_counting_two_less_posts_a_loss_of_exactly_23(company, wh, gears):
    """Given 10 gears on hand at 11.50; When WH/Stock is counted and 8 are found;
    Then 2 move to Virtual/Inventory loss, the count posts Dr write-off 23.00 / Cr
    stock 23.00, 8 are on hand, and the stock account (92.00) equals the valuation."""
    # Given a count started: it expects the 10 on hand
    count = counts.start_count(company, location=wh.stock_location, on_date=MAY_9)
    assert list(count.lines.values_list("product__sku", "expected", "counted")) == [
        ("GEAR", D(10), None)
    ]
    # When 8 are counted and the count validated
    counts.record_counts(count.pk, lines=[{"product": gears, "counted": "8"}])
    count = counts.validate_count(count.pk)
    # Then the adjustment moved 2 to inventory loss
    assert count.status == InventoryCount.Status.DONE
    move = StockMove.objects.get(transfer=count.adjustment)
    assert (move.quantity, move.source.full_name, move.destination.full_name) == (
        D(2),
        "WH/Stock",
        "Virtual/Inventory loss",
    )
    assert on_hand(gears, wh.stock_location) == D(8)
    # And posted the loss of 2 x 11.50
    entry = JournalEntry.objects.get(source_id=str(count.adjustment_id), ref__endswith="valuation")
    assert sorted(entry.lines.values_list("account__role", "debit", "credit")) == [
        ("stock", D(0), D("23.00")),
        ("write_off", D("23.00"), D(0)),
    ]
    assert entry.date == MAY_9
    assert stock_balance(company) == D("92.00")
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.sound) == (D("92.00"), D("92.00"), True)
    assert level_differences(company.pk) == []


def test_counting_one_more_posts_a_gain_at_the_average_cost(company, wh, gears):
    """Given 10 gears at 11.50; When 11 are counted; Then 1 comes from inventory loss
    at 11.50: Dr stock 11.50 / Cr write-off 11.50, and 11 are on hand."""
    count = counts.start_count(company, location=wh.stock_location, on_date=MAY_9)
    counts.record_counts(count.pk, lines=[{"product": gears, "counted": D(11)}])
    count = counts.validate_count(count.pk)
    layer = ValuationLayer.objects.get(move__transfer=count.adjustment)
    assert (layer.quantity, layer.unit_cost, layer.value) == (D(1), D("11.5000"), D("11.50"))
    entry = JournalEntry.objects.get(source_id=str(count.adjustment_id), ref__endswith="valuation")
    assert sorted(entry.lines.values_list("account__role", "debit", "credit")) == [
        ("stock", D("11.50"), D(0)),
        ("write_off", D(0), D("11.50")),
    ]
    assert on_hand(gears, wh.stock_location) == D(11)
    assert stock_balance(company) == D("126.50")


def test_a_count_that_matches_posts_nothing(company, wh, gears):
    """Given 10 gears; When 10 are counted; Then the count is done with no adjustment."""
    count = counts.start_count(company, location=wh.stock_location, on_date=MAY_9)
    counts.record_counts(count.pk, lines=[{"product": gears, "counted": 10}])
    entries = JournalEntry.objects.count()
    count = counts.validate_count(count.pk)
    assert (count.status, count.adjustment) == ("done", None)
    assert JournalEntry.objects.count() == entries


def test_stock_that_arrives_while_counting_is_not_counted_twice(company, wh, gears):
    """Found by the property tests (tests/properties): the adjustment used to move the
    difference from what the sheet expected when the count started, so stock received
    meanwhile was added again. Given a count started on 10 gears; When 5 more arrive
    (at 11.50, the average stays) and the 15 on the shelf are counted; Then nothing is
    adjusted and 15 are on hand (not 20); and when a count started on 15 sees 1 more
    arrive and finds 14, 2 are lost (not 1) and 14 are on hand."""
    count = counts.start_count(company, location=wh.stock_location, on_date=MAY_9)
    receive(wh, gears, 5, unit_cost="11.50", on_date=MAY_9)
    counts.record_counts(count.pk, lines=[{"product": gears, "counted": 15}])
    count = counts.validate_count(count.pk)
    assert (count.status, count.adjustment) == ("done", None)
    assert list(count.lines.values_list("expected", "counted")) == [(D(15), D(15))]
    assert on_hand(gears, wh.stock_location) == D(15)

    again = counts.start_count(company, location=wh.stock_location, on_date=MAY_9)
    receive(wh, gears, 1, unit_cost="11.50", on_date=MAY_9)
    counts.record_counts(again.pk, lines=[{"product": gears, "counted": 14}])
    again = counts.validate_count(again.pk)
    move = StockMove.objects.get(transfer=again.adjustment)
    assert (move.quantity, move.destination.full_name) == (D(2), "Virtual/Inventory loss")
    assert on_hand(gears, wh.stock_location) == D(14)
    assert stock_balance(company) == D("161.00")  # 14 x 11.50
    assert level_differences(company.pk) == []


def test_a_done_count_is_not_validated_twice_and_a_negative_count_is_refused(company, wh, gears):
    """Given a count validated with 8 gears; When it is validated again, or another
    count is given -1; Then both are refused and nothing changed."""
    count = counts.start_count(company, location=wh.stock_location, on_date=MAY_9)
    counts.record_counts(count.pk, lines=[{"product": gears, "counted": "8"}])
    counts.validate_count(count.pk)
    other = counts.start_count(company, location=wh.stock_location, on_date=MAY_9)
    before = (
        list(StockLevel.objects.values_list("pk", "on_hand", "reserved")),
        list(CountLine.objects.values_list("pk", "expected", "counted")),
        JournalEntry.objects.count(),
        ValuationLayer.objects.count(),
        OutboxEvent.objects.count(),
    )
    # When validated again: refused
    with pytest.raises(TransitionNotAllowed):
        counts.validate_count(count.pk)
    # When counted negative: refused
    with pytest.raises(InvalidQuantity) as refused:
        counts.record_counts(other.pk, lines=[{"product": gears, "counted": "-1"}])
    assert refused.value.code == "quantity_invalid"
    # Then nothing changed
    after = (
        list(StockLevel.objects.values_list("pk", "on_hand", "reserved")),
        list(CountLine.objects.values_list("pk", "expected", "counted")),
        JournalEntry.objects.count(),
        ValuationLayer.objects.count(),
        OutboxEvent.objects.count(),
    )
    assert after == before


def test_a_cycle_count_of_a_category_lists_only_its_products(company, wh, gears):
    """Given gears (no category) and 3 screws of Hardware / Screws on hand; When a
    cycle count of Hardware starts; Then it lists only the screws, expecting 3."""
    hardware = ProductCategoryFactory(company=company, name="Hardware")
    screws = ProductCategoryFactory(company=company, name="Screws", parent=hardware)
    screw = product(company, name="Screw", sku="SCR", category=screws)
    receive(wh, screw, 3, unit_cost="0.10", on_date=MAY_5)
    count = counts.start_count(
        company, location=wh.stock_location, category=hardware, on_date=MAY_9
    )
    assert list(count.lines.values_list("product__sku", "expected")) == [("SCR", D(3))]
    assert count.note == "Cycle count of Hardware"
