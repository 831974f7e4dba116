"""`keel check` reads the purchase order series: PO numbers are gapless, and one
changed behind the services' back (raw SQL) is reported with the exact numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from keel.core import invariants
from keel.core.tests.invariants import assert_invariants_hold, run_keel_check

from ..services import orders

pytestmark = pytest.mark.django_db
JUNE_1 = dt.date(2026, 6, 1)


@pytest.fixture
def ordered(company, books, wh, bracket, vendors, buyer):
    """PO/00001 and PO/00002 for brackets from Acme Metals, the second cancelled."""
    made = [
        orders.create_order(
            company,
            vendor=vendors["acme"],
            warehouse=wh,
            order_date=JUNE_1,
            lines=[{"product": bracket, "quantity": quantity, "unit_price": Decimal("4.00")}],
            by=buyer,
        )
        for quantity in (10, 20)
    ]
    orders.cancel(made[1].pk, by=buyer, reason="ordered twice")
    assert [order.number for order in made] == ["PO/00001", "PO/00002"]
    return made


def test_purchase_order_numbers_are_gapless_cancelled_ones_included(company, ordered):
    """Given PO/00001 and a cancelled PO/00002; Then numbers-gapless passes: a
    cancelled order keeps its number."""
    assert_invariants_hold(company, only=["numbers-gapless"])


def test_a_renumbered_purchase_order_is_reported(company, ordered):
    """Given PO/00002's number blanked and PO/00001 renumbered PO/00002 in SQL; Then
    keel check reports PO/00001 missing of the 2 issued, and exits 1."""
    with connection.cursor() as cursor:
        # Two orders may not share a number, so the second one's is moved aside first.
        cursor.execute(
            "UPDATE purchasing_purchaseorder SET number = '' WHERE id = %s", [ordered[1].pk]
        )
        cursor.execute(
            "UPDATE purchasing_purchaseorder SET number = 'PO/00002' WHERE id = %s", [ordered[0].pk]
        )
    assert [(v.subject, v.detail) for v in invariants.run(only=["numbers-gapless"])] == [
        ("series PO/… (purchasing.order)", "1 number(s) missing of the 2 issued: PO/00001"),
    ]
    code, output = run_keel_check("--only", "numbers-gapless")
    assert code == 1
    assert (
        f"FAIL numbers-gapless [{company.name}] series PO/… (purchasing.order): "
        "1 number(s) missing of the 2 issued: PO/00001" in output
    )
