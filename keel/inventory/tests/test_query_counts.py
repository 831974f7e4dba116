"""Set-based services: a transfer of 50 lines costs the same queries as one of 5."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..models import StockLevel, Transfer
from ..services import transfers, validation
from .factories import product

pytestmark = pytest.mark.django_db
D = Decimal


def _queries(wh, items, kind, quantity) -> dict[str, int]:
    """Queries of each step of one transfer of `items` (create, confirm, reserve, validate)."""
    counts = {}
    with CaptureQueriesContext(connection) as ctx:
        transfer = transfers.create_transfer(
            wh.company,
            kind=kind,
            warehouse=wh,
            lines=[{"product": item, "quantity": quantity} for item in items],
        )
    counts["create"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        transfers.confirm(transfer.pk)
    counts["confirm"] = len(ctx)
    if kind == Transfer.Kind.DELIVERY:
        with CaptureQueriesContext(connection) as ctx:
            transfers.reserve(transfer.pk)
        counts["reserve"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        validation.validate(transfer.pk)
    counts["validate"] = len(ctx)
    return counts


def test_50_lines_cost_the_queries_of_5(company, wh):
    """Given 5 and 50 products received into WH/Stock; When a delivery of each set is
    created, confirmed, reserved and validated; Then every step costs the same number of
    queries for 50 lines as for 5 (no query per line), and the stock is exact."""
    small = [product(company, sku=f"S{n}") for n in range(5)]
    large = [product(company, sku=f"L{n}") for n in range(50)]
    warm_up = [product(company, sku="W")]  # the first of each kind creates series, places
    _queries(wh, warm_up, Transfer.Kind.RECEIPT, D(1))
    _queries(wh, warm_up, Transfer.Kind.DELIVERY, D(1))
    receipts = (
        _queries(wh, small, Transfer.Kind.RECEIPT, D(10)),
        _queries(wh, large, Transfer.Kind.RECEIPT, D(10)),
    )
    assert receipts[0] == receipts[1]
    deliveries = (
        _queries(wh, small, Transfer.Kind.DELIVERY, D(4)),
        _queries(wh, large, Transfer.Kind.DELIVERY, D(4)),
    )
    assert deliveries[0] == deliveries[1]
    assert deliveries[0]["validate"] <= 30, deliveries[0]
    levels = StockLevel.objects.filter(product__in=small + large, location=wh.stock_location)
    assert sorted(set(levels.values_list("on_hand", "reserved", "incoming", "outgoing"))) == [
        (D(6), D(0), D(0), D(0))
    ]
