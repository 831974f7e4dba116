"""Reads of the inventory domain; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from keel.products.models import Product

from ..models import Location, Lot, MoveLine, StockLevel, StockMove, Transfer, Warehouse

ZERO = Decimal(0)


def warehouses_of(company_id: int | None) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(company_id=company_id).select_related(
        "view_location", "stock_location"
    )


def locations_of(company_id: int | None) -> QuerySet[Location]:
    return Location.objects.filter(company_id=company_id).select_related("warehouse")


def levels_of(
    company_id: int | None,
    *,
    product: int | None = None,
    location: int | None = None,
    warehouse: int | None = None,
) -> QuerySet[StockLevel]:
    """Stock levels of the company; `location` includes the locations below it."""
    levels = StockLevel.objects.filter(company_id=company_id).select_related(
        "product", "location", "lot"
    )
    if product:
        levels = levels.filter(product_id=product)
    if location:
        path = Location.objects.filter(pk=location).values_list("path", flat=True).first()
        levels = levels.filter(location__path__startswith=path or "-")
    if warehouse:
        levels = levels.filter(location__warehouse_id=warehouse)
    return levels.order_by("product__name", "location__full_name", "lot_key")


def stockable_products(company_id: int | None) -> QuerySet[Product]:
    """Active goods and consumables of the company (what stock is kept of), by name."""
    return (
        Product.objects.filter(company_id=company_id, active=True)
        .exclude(kind=Product.Kind.SERVICE)
        .order_by("name", "id")
    )


def lots_of(company_id: int | None) -> QuerySet[Lot]:
    return Lot.objects.filter(company_id=company_id).select_related("product")


def transfers_of(company_id: int | None) -> QuerySet[Transfer]:
    return Transfer.objects.filter(company_id=company_id).select_related(
        "warehouse", "partner", "source", "destination"
    )


def with_moves(transfers: QuerySet[Transfer]) -> QuerySet[Transfer]:
    lines = MoveLine.objects.select_related("lot", "source", "destination")
    moves = StockMove.objects.select_related("product").prefetch_related(
        Prefetch("lines", queryset=lines)
    )
    return transfers.prefetch_related(Prefetch("moves", queryset=moves))


@dataclass(frozen=True)
class LevelDifference:
    product_id: int
    location_id: int
    lot_id: int | None
    maintained: Decimal
    from_moves: Decimal


def on_hand_from_moves(company_id: int) -> dict[tuple[int, int, int | None], Decimal]:
    """On hand per product x location x lot, summed from done move lines (the truth)."""
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    done = MoveLine.objects.filter(move__transfer__company_id=company_id, quantity_done__gt=0)
    for side, sign in (("destination", 1), ("source", -1)):
        rows = (
            done.filter(**{f"{side}__usage__in": Location.STOCK_KEEPING})
            .values("product_id", f"{side}_id", "lot_id")
            .annotate(total=Sum("quantity_done"))
        )
        for row in rows:
            key = (row["product_id"], row[f"{side}_id"], row["lot_id"])
            totals[key] += sign * row["total"]  # the field's converter made it a Decimal
    return dict(totals)


def level_differences(company_id: int) -> list[LevelDifference]:
    """Levels whose on hand differs from the sum of the done moves (empty when sound)."""
    truth = on_hand_from_moves(company_id)
    maintained = {
        (level.product_id, level.location_id, level.lot_id): level.on_hand
        for level in StockLevel.objects.filter(company_id=company_id)
    }
    return [
        LevelDifference(*key, maintained.get(key, ZERO), truth.get(key, ZERO))
        for key in sorted(set(truth) | set(maintained), key=lambda k: (k[0], k[1], k[2] or 0))
        if maintained.get(key, ZERO) != truth.get(key, ZERO)
    ]


from .atp import (  # noqa: E402
    Day,
    Position,
    available_to_promise,
    earliest_date_for,
    positions,
    positions_of,
    projected_on_hand,
    series_of,
)
from .replenishment import Need, replenishment_needs, rules_of  # noqa: E402
from .trace import Step, Trace, trace_lot  # noqa: E402

__all__ = [
    "Day",
    "LevelDifference",
    "Need",
    "Position",
    "Step",
    "Trace",
    "available_to_promise",
    "earliest_date_for",
    "level_differences",
    "levels_of",
    "locations_of",
    "lots_of",
    "on_hand_from_moves",
    "positions",
    "positions_of",
    "projected_on_hand",
    "replenishment_needs",
    "rules_of",
    "series_of",
    "stockable_products",
    "trace_lot",
    "transfers_of",
    "warehouses_of",
    "with_moves",
]
