"""The services read moves, levels and cost rows without Model.__init__ (keel.core.rows):
what they read must be exactly what the ORM reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from keel.core.rows import load
from keel.products.models import ProductCategory

from ..models import StockLevel, StockMove, Transfer
from ..services import transfers
from ..services.common import moves_of, open_moves
from .factories import delivery, product, receive

pytestmark = pytest.mark.django_db
D = Decimal


def test_levels_loaded_fast_read_back_like_the_orm(company, wh, widget):
    """Given 12.5 widgets received into WH/Stock and 2 of them reserved; When the level
    is read with load() and with the ORM; Then both give the same fields (Decimal
    quantities, foreign keys), its relations resolve, and it is not a new row."""
    receive(wh, widget, "12.5")
    out = delivery(wh, widget, D(2))
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    query = StockLevel.objects.filter(product=widget, location=wh.stock_location)

    [fast] = load(query)
    [orm] = list(query)

    assert model_to_dict(fast) == model_to_dict(orm)
    assert (fast.pk, fast.on_hand, fast.reserved) == (orm.pk, D("12.5"), D(2))
    assert isinstance(fast.on_hand, Decimal)
    assert fast.location.path == wh.stock_location.path  # relations load as usual
    assert fast._state.adding is False
    assert fast.get_deferred_fields() == set()


def test_fields_not_loaded_are_deferred_and_locks_are_kept(company, wh, widget):
    """Given a stock level; When it is loaded with only its counters under
    select_for_update; Then the other fields are deferred (read on first use, as with
    only()) and, where the database has row locks, the query takes them."""
    receive(wh, widget, 3)
    query = StockLevel.objects.filter(product=widget, location=wh.stock_location)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        [level] = load(query.select_for_update(), ["on_hand", "reserved"])
    assert level.get_deferred_fields() >= {"allow_negative", "incoming", "outgoing"}
    assert (level.on_hand, level.allow_negative) == (D(3), False)
    locked = "FOR UPDATE" in captured.captured_queries[-1]["sql"]
    assert locked == connection.features.has_select_for_update


def test_moves_read_with_their_product_category_locations_and_transfer(
    company, wh, django_assert_num_queries
):
    """Given a FIFO product and an average-cost one on one delivery; When its open moves
    are read; Then each carries the ORM's field values, its product (the fields the
    services use, the category's costing method), its locations and its transfer,
    without a further query."""
    fifo = ProductCategory.objects.create(
        company=company, name="Fifo", costing_method=ProductCategory.CostingMethod.FIFO
    )
    first = product(company, sku="F1", category=fifo)
    second = product(company, sku="A1")
    out = delivery(wh, first, D(2))
    StockMove.objects.create(
        transfer=out,
        product=second,
        quantity=D("1.25"),
        source=out.source,
        destination=out.destination,
        date=out.scheduled_date,
        sequence=2,
    )
    transfers.confirm(out.pk)
    transfer = Transfer.objects.get(pk=out.pk)
    orm = {m.pk: model_to_dict(m) for m in StockMove.objects.filter(transfer=transfer)}

    moves = open_moves(transfer)

    assert [model_to_dict(m) for m in moves] == [orm[m.pk] for m in moves]
    with django_assert_num_queries(0):
        assert [(m.product.sku, m.quantity) for m in moves] == [("F1", D(2)), ("A1", D("1.25"))]
        assert [
            m.product.category.costing_method if m.product.category else None for m in moves
        ] == [
            ProductCategory.CostingMethod.FIFO,
            None,
        ]
        assert {m.source.path for m in moves} == {wh.stock_location.path}
        assert all(m.transfer is transfer for m in moves)
        assert [m.missing for m in moves] == [D(2), D("1.25")]
    assert moves_of(StockMove.objects.filter(pk=-1)) == []
