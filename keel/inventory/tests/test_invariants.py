"""`keel check` on the stock: a sound warehouse passes; levels, reservations, valuation
and transfer numbers damaged in SQL (as an outage or a bug would) are each reported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from keel.core import invariants
from keel.core.tests.invariants import assert_invariants_hold, run_keel_check
from keel.products.models import Product

from ..models import ProductCost, StockLevel, Transfer
from ..services import transfers
from .factories import delivery

pytestmark = pytest.mark.django_db
D = Decimal
MAY_6 = dt.date(2026, 5, 6)

# reserved <= on hand is a CHECK constraint; the damage below lifts it first (inside
# the test's transaction, so it comes back after it).
LIFT_RESERVED_CHECK = {
    "postgresql": [
        "SET CONSTRAINTS ALL IMMEDIATE",  # no ALTER TABLE while deferred checks are pending
        "ALTER TABLE inventory_stocklevel DROP CONSTRAINT stocklevel_reserved_le_on_hand",
    ],
    "sqlite": ["PRAGMA ignore_check_constraints = ON"],
}


def sql(statement: str, params=(), *, before=()) -> None:
    with connection.cursor() as cursor:
        for each in before:
            cursor.execute(each)
        cursor.execute(statement, list(params))


def found(check: str) -> list[tuple[str, str]]:
    return [(v.subject, v.detail) for v in invariants.run(only=[check])]


@pytest.fixture
def stocked(stocked, company, wh):
    """The stock of conftest's `stocked` (3 bearings left at WH/Stock, 4 gears), and a
    delivery of 2 gears reserved, not done."""
    gear = Product.objects.get(company=company, sku="GEAR")
    out = delivery(wh, gear, D(2), on_date=MAY_6)
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    return {"bearing": Product.objects.get(company=company, sku="BRG"), "gear": gear}


def level_of(item, wh) -> StockLevel:
    return StockLevel.objects.get(product=item, location=wh.stock_location)


def test_a_sound_warehouse_passes_every_check(company, wh, stocked):
    """Given receipts, a delivery and a reservation; Then every check passes."""
    assert (level_of(stocked["gear"], wh).on_hand, level_of(stocked["gear"], wh).reserved) == (
        D(4),
        D(2),
    )
    assert_invariants_hold(company)
    assert run_keel_check("--company", str(company.pk))[0] == 0


def test_on_hand_that_drifted_from_the_moves_is_named(company, wh, stocked):
    """Given the bearing's on hand at WH/Stock raised from 3 to 5 in SQL; Then
    on-hand-matches-moves shows 5 against the 3 its done moves sum to."""
    level = level_of(stocked["bearing"], wh)
    sql("UPDATE inventory_stocklevel SET on_hand = 50000 WHERE id = %s", [level.pk])
    assert found("on-hand-matches-moves") == [
        (f"BRG at {wh.stock_location}", "on hand 5 but the done moves sum to 3")
    ]
    assert run_keel_check("--only", "on-hand-matches-moves")[0] == 1


def test_a_reservation_beyond_what_is_on_hand_is_named(company, wh, stocked):
    """Given the gear's reservation raised from 2 to 6 (4 on hand) with the database's
    own check lifted; Then reserved-within-on-hand names it."""
    level = level_of(stocked["gear"], wh)
    sql(
        "UPDATE inventory_stocklevel SET reserved = 60000 WHERE id = %s",
        [level.pk],
        before=LIFT_RESERVED_CHECK[connection.vendor],
    )
    assert found("reserved-within-on-hand") == [
        (f"GEAR at {wh.stock_location}", "reserved 6 exceeds on hand 4")
    ]
    assert run_keel_check("--only", "reserved-within-on-hand")[0] == 1


def test_a_valuation_that_left_the_books_is_named(company, wh, stocked):
    """Given the gear's average-cost value raised from 10.00 to 12.00 in SQL; Then the
    valuation (48.00) no longer equals the stock account (46.00) nor the layers."""
    sql(
        "UPDATE inventory_productcost SET value = 120000 WHERE id = %s",
        [ProductCost.objects.get(product=stocked["gear"]).pk],
    )
    assert found("valuation-matches-stock-account") == [
        (
            "stock valuation",
            "the valuation is 48.00 USD but the stock account holds 46.00 USD "
            "(difference 2.00 USD)",
        ),
        ("stock valuation layers", "the layers sum to 46.00 USD, the valuation to 48.00 USD"),
    ]
    assert run_keel_check("--only", "valuation-matches-stock-account")[0] == 1


def test_a_renumbered_receipt_leaves_a_gap_in_its_series(company, wh, stocked):
    """Given the second receipt renumbered WH/IN/00002 -> WH/IN/00007 in SQL; Then
    numbers-gapless reports 00002 missing and 00007 past the next number 00004."""
    second = Transfer.objects.get(company=company, number="WH/IN/00002")
    sql("UPDATE inventory_transfer SET number = 'WH/IN/00007' WHERE id = %s", [second.pk])
    assert found("numbers-gapless") == [
        (
            "series WH/IN/… (inventory.WH.receipt)",
            "1 number(s) missing of the 3 issued: WH/IN/00002",
        ),
        (
            "series WH/IN/… (inventory.WH.receipt)",
            "1 number(s) at or past the next number WH/IN/00004: WH/IN/00007",
        ),
    ]
    code, output = run_keel_check("--only", "numbers-gapless", "--json")
    assert code == 1
    assert '"missing": [\n          "WH/IN/00002"\n        ]' in output
