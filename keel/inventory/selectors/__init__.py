"""Reads of the inventory domain; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from keel.accounting.models import AccountRole
from keel.accounting.selectors.chart import accounts_of
from keel.accounting.selectors.reports import account_sums
from keel.products.models import Product, ProductCategory

from ..models import (
    CountLine,
    InventoryCount,
    LandedCost,
    LandedCostLine,
    Location,
    Lot,
    MoveLine,
    ProductCost,
    StockLevel,
    StockMove,
    Transfer,
    ValuationLayer,
    Warehouse,
)

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


def counts_of(company_id: int | None) -> QuerySet[InventoryCount]:
    """Count sheets with their location, adjustment and lines (product, lot)."""
    lines = CountLine.objects.select_related("product", "lot").order_by("id")
    return (
        InventoryCount.objects.filter(company_id=company_id)
        .select_related("location", "adjustment")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def landed_costs_of(company_id: int | None) -> QuerySet[LandedCost]:
    """Landed costs with their receipt and each move's share."""
    lines = LandedCostLine.objects.select_related("move__product").order_by("id")
    return (
        LandedCost.objects.filter(company_id=company_id)
        .select_related("receipt")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


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


@dataclass(frozen=True)
class ProductValuation:
    """What one product's stock is worth: FIFO from the layers left, average cost
    from the running value (the average cost times the quantity valued)."""

    product_id: int
    sku: str
    name: str
    costing_method: str
    quantity: Decimal
    value: Decimal

    @property
    def unit_cost(self) -> Decimal:
        return (self.value / self.quantity).quantize(Decimal("0.0001")) if self.quantity else ZERO


def stock_valuation(company_id: int) -> list[ProductValuation]:
    """The stock valuation report, one row per product ever valued, by SKU."""
    fifo_left = {
        row["product_id"]: (row["q"], row["v"])
        for row in ValuationLayer.objects.filter(company_id=company_id, remaining_quantity__gt=0)
        .values("product_id")
        .annotate(q=Sum("remaining_quantity"), v=Sum("remaining_value"))
    }
    rows = []
    costs = ProductCost.objects.filter(company_id=company_id).select_related("product__category")
    for cost in costs:
        product: Product = cost.product
        method = (
            product.category.costing_method
            if product.category
            else ProductCategory.CostingMethod.AVERAGE
        )
        quantity, value = cost.quantity, cost.value
        if method == ProductCategory.CostingMethod.FIFO:
            quantity, value = fifo_left.get(product.pk, (ZERO, ZERO))
        rows.append(
            ProductValuation(product.pk, product.sku, product.name, method, quantity, value)
        )
    return sorted(rows, key=lambda row: row.sku)


def stock_account_balance(company_id: int) -> Decimal:
    """Debit less credit of the account with the stock role (0 without one)."""
    account = accounts_of(company_id).filter(role=AccountRole.STOCK).first()
    if account is None:
        return ZERO
    debit, credit = account_sums(company_id, None, None).get(account.pk, (ZERO, ZERO))
    return debit - credit


@dataclass(frozen=True)
class ValuationCheck:
    valuation: Decimal
    stock_account: Decimal
    layers: Decimal  # Σ value of every layer: the history the valuation must equal

    @property
    def difference(self) -> Decimal:
        return self.valuation - self.stock_account

    @property
    def sound(self) -> bool:
        return self.difference == 0 and self.layers == self.valuation


def check_valuation(company_id: int) -> ValuationCheck:
    """The stock valuation against the stock account's balance and the layers' history."""
    valuation = sum((row.value for row in stock_valuation(company_id)), ZERO)
    layers = ValuationLayer.objects.filter(company_id=company_id).aggregate(v=Sum("value"))["v"]
    return ValuationCheck(valuation, stock_account_balance(company_id), layers or ZERO)


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
from .putaway import putaway_locations, putaway_rules_of  # noqa: E402
from .replenishment import Need, replenishment_needs, rules_of  # noqa: E402
from .reports import (  # noqa: E402
    ValuationReport,
    ValuationRow,
    move_history,
    stock_on_hand,
    valuation_report,
)
from .trace import Step, Trace, trace_lot  # noqa: E402

__all__ = [
    "Day",
    "LevelDifference",
    "Need",
    "Position",
    "Step",
    "Trace",
    "ValuationReport",
    "ValuationRow",
    "available_to_promise",
    "counts_of",
    "landed_costs_of",
    "earliest_date_for",
    "level_differences",
    "levels_of",
    "locations_of",
    "lots_of",
    "move_history",
    "on_hand_from_moves",
    "positions",
    "positions_of",
    "projected_on_hand",
    "putaway_locations",
    "putaway_rules_of",
    "replenishment_needs",
    "rules_of",
    "series_of",
    "stock_on_hand",
    "stockable_products",
    "trace_lot",
    "transfers_of",
    "valuation_report",
    "warehouses_of",
    "with_moves",
]
