"""Reports of the workspace: what stock is worth (per product, with the stock
account beside it), what is on hand where, and which moves were done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from keel.core.money import round_money
from keel.products.models import Product, ProductCategory

from ..models import Location, MoveLine, StockLevel, Transfer, Warehouse
from . import ZERO, stock_account_balance, stock_valuation


@dataclass(frozen=True)
class ValuationRow:
    product_id: int
    sku: str
    name: str
    category: str
    costing_method: str
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal


@dataclass(frozen=True)
class ValuationReport:
    rows: list[ValuationRow]
    quantity: Decimal
    value: Decimal
    stock_account: Decimal  # the books' balance of the stock account, never filtered
    filtered: bool  # by category or warehouse: the total is then a part of the books'

    @property
    def difference(self) -> Decimal:
        return self.value - self.stock_account


def valuation_report(
    company_id: int,
    currency: str,
    *,
    category: ProductCategory | None = None,
    warehouse: Warehouse | None = None,
) -> ValuationReport:
    """The stock valuation per product with its unit cost, by SKU; `category` keeps
    its products and those of the categories below it. With `warehouse`, the quantity
    is what is on hand in that warehouse, valued at the product's unit cost (the
    valuation is kept per company, not per warehouse)."""
    valued = [row for row in stock_valuation(company_id) if row.quantity or row.value]
    products = {
        p["pk"]: p
        for p in Product.objects.filter(pk__in=[row.product_id for row in valued]).values(
            "pk", "category__path", "category__full_name"
        )
    }
    in_warehouse = {}
    if warehouse is not None:
        in_warehouse = dict(
            StockLevel.objects.filter(
                location__warehouse=warehouse, location__usage__in=Location.STOCK_KEEPING
            )
            .values_list("product_id")
            .annotate(q=Sum("on_hand"))
        )
    rows = []
    for row in valued:
        product = products[row.product_id]
        if category is not None and not (product["category__path"] or "").startswith(category.path):
            continue
        quantity, value = row.quantity, row.value
        if warehouse is not None:
            quantity = in_warehouse.get(row.product_id, ZERO)
            value = (
                round_money(quantity * row.value / row.quantity, currency) if row.quantity else ZERO
            )
            if not quantity:
                continue
        rows.append(
            ValuationRow(
                row.product_id,
                row.sku,
                row.name,
                product["category__full_name"] or "",
                row.costing_method,
                quantity,
                row.unit_cost,
                value,
            )
        )
    return ValuationReport(
        rows,
        sum((row.quantity for row in rows), ZERO),
        sum((row.value for row in rows), ZERO),
        stock_account_balance(company_id),
        filtered=category is not None or warehouse is not None,
    )


def stock_on_hand(
    company_id: int,
    *,
    warehouse: int | None = None,
    location: int | None = None,
    product: str = "",
    lot: str = "",
) -> QuerySet[StockLevel]:
    """Stock levels with something on hand in the locations Keel counts, by location,
    product and lot; `location` includes the ones below it, `product` matches a name,
    SKU or barcode, `lot` a lot or serial number."""
    levels = (
        StockLevel.objects.filter(company_id=company_id, location__usage__in=Location.STOCK_KEEPING)
        .exclude(on_hand=0)
        .select_related("product", "location", "lot")
    )
    if warehouse:
        levels = levels.filter(location__warehouse_id=warehouse)
    if location:
        path = Location.objects.filter(pk=location).values_list("path", flat=True).first()
        levels = levels.filter(location__path__startswith=path or "-")
    if product:
        levels = levels.filter(
            Q(product__name__icontains=product)
            | Q(product__sku__icontains=product)
            | Q(product__barcode=product)
        )
    if lot:
        levels = levels.filter(lot__name__icontains=lot)
    return levels.order_by("location__full_name", "product__name", "lot_key")


def move_history(
    company_id: int,
    *,
    product: str = "",
    lot: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    transfer: str = "",
) -> QuerySet[MoveLine]:
    """Done move lines (what was moved, of which lot, from where to where, on which
    transfer), newest first; `product` matches a name, SKU or barcode, `lot` a lot or
    serial number, `transfer` a transfer number."""
    lines = MoveLine.objects.filter(
        move__transfer__company_id=company_id,
        move__status=Transfer.Status.DONE,
        quantity_done__gt=0,
    ).select_related("move__transfer", "product", "lot", "source", "destination")
    if product:
        lines = lines.filter(
            Q(product__name__icontains=product)
            | Q(product__sku__icontains=product)
            | Q(product__barcode=product)
        )
    if lot:
        lines = lines.filter(lot__name__icontains=lot)
    if date_from:
        lines = lines.filter(move__date__gte=date_from)
    if date_to:
        lines = lines.filter(move__date__lte=date_to)
    if transfer:
        lines = lines.filter(move__transfer__number__icontains=transfer)
    return lines.order_by("-move__date", "-id")
