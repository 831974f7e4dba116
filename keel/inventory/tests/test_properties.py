"""Property: whatever receipts, deliveries, partial validations and cancellations
happen, on hand equals the sum of the done moves per product x location x lot,
reserved never exceeds on hand, and reserved/incoming/outgoing equal what the open
moves hold."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from keel.core.errors import DomainError
from keel.core.tests.factories import CompanyFactory

from ..models import MoveLine, StockLevel, StockMove, Transfer
from ..selectors import level_differences
from ..services import transfers, validation
from .factories import bin_in, delivery, product, receive, warehouse

D = Decimal
quantities = st.integers(min_value=1, max_value=8).map(D)
receipt = st.tuples(st.just("receipt"), st.integers(0, 1), quantities, st.integers(0, 2))
deliver = st.tuples(st.just("deliver"), st.integers(0, 1), quantities, st.integers(0, 2))
validate = st.tuples(st.just("validate"), st.integers(0, 30), quantities, st.integers(0, 2))
cancel = st.tuples(st.just("cancel"), st.integers(0, 30), quantities, st.integers(0, 2))


def _state():
    return (
        list(StockLevel.objects.values_list("pk", "on_hand", "reserved", "incoming", "outgoing")),
        list(StockMove.objects.values_list("pk", "transfer_id", "quantity", "status")),
        list(Transfer.objects.values_list("pk", "status")),
    )


class StockProperties(TestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(receipt, deliver, validate, cancel), min_size=1, max_size=14))
    def test_stock_always_matches_its_moves(self, steps):
        company = CompanyFactory(name="Property Co")
        wh = warehouse(company)
        places = [wh.stock_location, bin_in(wh, "A1"), bin_in(wh, "B1")]
        items = [
            product(company, name="Bolt", sku="BOLT"),
            product(company, name="Milk", sku="MILK", tracking="lot"),
        ]
        lot_number = 0
        for kind, which, quantity, where in steps:
            if kind == "receipt":
                item = items[which]
                lots = None
                if item.tracking == "lot":
                    lot_number += 1
                    lots = [(f"L{lot_number}", str(quantity), None)]
                receive(wh, item, quantity, lots=lots, destination=places[where])
            elif kind == "deliver":
                out = delivery(wh, items[which], quantity)
                transfers.confirm(out.pk)
                before = _state()
                try:
                    transfers.reserve(out.pk)
                except DomainError:
                    assert _state() == before
            else:
                open_ = list(
                    Transfer.objects.filter(
                        company=company, kind="delivery", status__in=["waiting", "ready"]
                    ).order_by("pk")
                )
                if not open_:
                    continue
                target = open_[which % len(open_)]
                before = _state()
                try:
                    if kind == "cancel":
                        transfers.cancel(target.pk)
                    else:
                        move = target.moves.first()
                        done = min(quantity, move.quantity_reserved) or quantity
                        validation.validate(target.pk, done=[{"move": move.pk, "quantity": done}])
                except DomainError:
                    assert _state() == before

        assert level_differences(company.pk) == []
        held = defaultdict(lambda: [D(0), D(0), D(0)])  # reserved, incoming, outgoing
        for line in MoveLine.objects.filter(quantity_done=0, move__status__in=["waiting", "ready"]):
            held[(line.product_id, line.source_id, line.lot_id or 0)][0] += line.quantity
        for move in StockMove.objects.filter(status__in=["waiting", "ready"]).select_related(
            "source", "destination"
        ):
            if move.destination.keeps_stock:
                held[(move.product_id, move.destination_id, 0)][1] += move.quantity
            if move.source.keeps_stock:
                held[(move.product_id, move.source_id, 0)][2] += move.quantity
        for level in StockLevel.objects.all():
            assert D(0) <= level.reserved <= level.on_hand
            key = (level.product_id, level.location_id, level.lot_key)
            assert [level.reserved, level.incoming, level.outgoing] == held[key], key
