"""Landed costs as a story: freight on a receipt is split over its lines to the cent
and raises their valuation; the books take it Dr stock / Cr stock interim (received)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.accounting.models import JournalEntry
from keel.accounting.tests.factories import books
from keel.core.errors import InvalidInput
from keel.products.models import ProductCategory
from keel.products.tests.factories import ProductCategoryFactory

from ..models import LandedCost, ProductCost, ValuationLayer
from ..selectors import check_valuation
from ..services import landed, transfers, validation
from .factories import deliver, product

pytestmark = pytest.mark.django_db
D = Decimal
MAY_4, MAY_8, MAY_9 = dt.date(2026, 5, 4), dt.date(2026, 5, 8), dt.date(2026, 5, 9)


def received(company, wh, lines):
    """A receipt of `lines` [(product, quantity, unit cost)], confirmed and validated."""
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[{"product": p, "quantity": D(q), "unit_cost": D(c)} for p, q, c in lines],
    )
    transfers.confirm(receipt.pk)
    return validation.validate(receipt.pk, on_date=MAY_4)


def entry_of(source) -> list[tuple[str, Decimal, Decimal]]:
    entry = JournalEntry.objects.get(source_id=str(source.pk), ref__startswith="Landed")
    return sorted(entry.lines.values_list("account__role", "debit", "credit"))


@pytest.fixture
def three(company):
    books(company)
    fifo = ProductCategoryFactory(
        company=company, name="Spares", costing_method=ProductCategory.CostingMethod.FIFO
    )
    return [product(company, name=n, sku=n.upper(), category=fifo) for n in ("Axle", "Bolt", "Cog")]


def test_freight_split_by_weight_to_the_cent(company, wh, three):
    """Given a receipt of one axle, one bolt and one cog at 20.00 each, weighing 1, 1
    and 1; When 100.00 of freight is landed on it by weight; Then the shares are 33.34,
    33.33 and 33.33, each receipt layer is worth that much more, the entry is Dr stock
    100.00 / Cr stock interim (received) 100.00, and the valuation equals the books."""
    receipt = received(company, wh, [(p, "1", "20.00") for p in three])
    moves = list(receipt.moves.order_by("sequence"))
    # When 100.00 is landed by weight
    cost = landed.add_landed_cost(
        company,
        receipt=receipt,
        amount=D("100.00"),
        split_by=LandedCost.Split.WEIGHT,
        weights={m.pk: D(1) for m in moves},
        on_date=MAY_8,
    )
    # Then 33.34 / 33.33 / 33.33
    assert list(cost.lines.order_by("move__sequence").values_list("amount", flat=True)) == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]
    layers = ValuationLayer.objects.filter(move__transfer=receipt, adds_to__isnull=True)
    assert sorted(layers.values_list("remaining_value", flat=True)) == [
        D("53.33"),
        D("53.33"),
        D("53.34"),
    ]
    assert entry_of(cost) == [
        ("stock", D("100.00"), D(0)),
        ("stock_interim_received", D(0), D("100.00")),
    ]
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.sound) == (D("160.00"), D("160.00"), True)
    # And the axle now leaves at its landed cost
    out = deliver(wh, three[0], 1, on_date=MAY_9)
    assert ValuationLayer.objects.get(move__transfer=out).value == D("-53.34")


def test_split_by_quantity_and_goods_already_gone_go_to_cogs(company, wh, three):
    """Given a receipt of 1 axle and 2 bolts at 10.00, and one of the bolts delivered;
    When 100.00 is landed by quantity; Then the axle gets 33.33 and the bolts 66.67,
    of which the bolt still in stock keeps half (33.335, rounded 33.34) and the
    delivered one's 33.33 is cost of goods sold: Dr stock 66.67, Dr COGS 33.33,
    Cr stock interim (received) 100.00; the bolt left is worth 10.00 + 33.34."""
    axle, bolt, _ = three
    receipt = received(company, wh, [(axle, "1", "10.00"), (bolt, "2", "10.00")])
    deliver(wh, bolt, 1, on_date=MAY_4)
    cost = landed.add_landed_cost(
        company, receipt=receipt, amount="100.00", split_by="quantity", on_date=MAY_8
    )
    assert list(cost.lines.order_by("move__sequence").values_list("amount", flat=True)) == [
        D("33.33"),
        D("66.67"),
    ]
    assert entry_of(cost) == [
        ("cogs", D("33.33"), D(0)),
        ("stock", D("66.67"), D(0)),
        ("stock_interim_received", D(0), D("100.00")),
    ]
    assert ProductCost.objects.get(product=bolt).value == D("43.34")
    assert check_valuation(company.pk).sound


def test_a_landed_cost_on_a_receipt_not_done_is_refused(company, wh, three):
    """Given a confirmed receipt not yet validated; When a landed cost is added; Then it
    is refused and no landed cost, layer or entry is written."""
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        scheduled_date=MAY_4,
        lines=[{"product": three[0], "quantity": D(1)}],
    )
    transfers.confirm(receipt.pk)
    before = (JournalEntry.objects.count(), ValuationLayer.objects.count())
    with pytest.raises(InvalidInput, match="not a done receipt"):
        landed.add_landed_cost(
            company, receipt=receipt, amount="10.00", split_by="quantity", on_date=MAY_8
        )
    with pytest.raises(InvalidInput, match="positive amount"):
        landed.add_landed_cost(
            company, receipt=receipt, amount="10.001", split_by="quantity", on_date=MAY_8
        )
    assert not LandedCost.objects.exists()
    assert (JournalEntry.objects.count(), ValuationLayer.objects.count()) == before
