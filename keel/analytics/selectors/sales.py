"""Sales revenue, cost of goods and margin, sliced by customer, product, category,
region, channel, rep or period, read from posted customer invoice lines.

Revenue is a line's untaxed amount (credit notes count negative). The cost of goods
of a line is its quantity at the unit cost its order's deliveries took out of stock
(the valuation layers of those moves); a line with no order (or an order with
nothing delivered yet) is costed at the product's current average cost. A credit
note's line reverses its cost too: goods credited are goods that came back.

Every figure is a GROUP BY in the database over exact integer columns (money and
scaled quantities), so the sums are exact to the cent on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Case, ExpressionWrapper, F, QuerySet, Sum, When
from django.db.models.functions import Cast, Coalesce, Round, TruncMonth, TruncQuarter, TruncYear

from keel.accounting.fields import MoneyField, from_units
from keel.accounting.models import Invoice, InvoiceLine
from keel.inventory.models import ProductCost, Transfer, ValuationLayer
from keel.parties.models import Party, Region, SalesChannel
from keel.products.models import Product, ProductCategory
from keel.sales.models import SalesOrder

from .scope import sees_all

ZERO = Decimal(0)
CENT = Decimal("0.01")
SLICES = {
    "customer": "Customer",
    "product": "Product",
    "category": "Category",
    "region": "Region",
    "channel": "Channel",
    "rep": "Sales rep",
    "period": "Period",
}
GRAINS = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
# Clicking a row of one slice opens the next one, filtered to that row.
DRILL = {
    "period": "customer",
    "region": "customer",
    "channel": "customer",
    "rep": "customer",
    "category": "product",
    "customer": "product",
    "product": "lines",
}
FILTERS = ("customer", "product", "category", "region", "channel", "rep")
CUSTOMER_KINDS = (Invoice.Kind.CUSTOMER_INVOICE, Invoice.Kind.CUSTOMER_CREDIT_NOTE)
# Where each slice's key lives on an invoice line (rep and period are annotations).
KEYS = {
    "customer": "invoice__party_id",
    "product": "product_id",
    "category": "product__category_id",
    "region": "invoice__party__region_id",
    "channel": "invoice__party__channel_id",
    "rep": "rep_id",
}


@dataclass(frozen=True)
class Filters:
    """What the report is restricted to: invoice dates and slice values (ids)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    ids: dict[str, int] = field(default_factory=dict)

    def with_(self, **changes) -> Filters:
        ids = {**self.ids, **{k: v for k, v in changes.items() if k in FILTERS}}
        dates = {k: v for k, v in changes.items() if k in ("date_from", "date_to")}
        return Filters(
            date_from=dates.get("date_from", self.date_from),
            date_to=dates.get("date_to", self.date_to),
            ids=ids,
        )


@dataclass
class Row:
    """One slice value: what was sold of it, what it cost and what it left."""

    key: object
    label: str
    quantity: Decimal = ZERO
    revenue: Decimal = ZERO
    cost: Decimal = ZERO
    date_from: dt.date | None = None  # a period row: its first and last day
    date_to: dt.date | None = None

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.revenue:
            return None
        return (self.margin * 100 / self.revenue).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Summary:
    slice: str
    rows: list[Row]
    total: Row


def _signed(expression, output_field) -> Case:
    """`expression`, negative on a credit note."""
    negative = ExpressionWrapper(expression * -1, output_field=output_field)
    return Case(
        When(invoice__kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE, then=negative),
        default=expression,
        output_field=output_field,
    )


def _scaled(quantity: str):
    """A DecimalField (a float on SQLite) as an exact integer of 1/10,000 units."""
    return Cast(Round(F(quantity) * 10_000), BigIntegerField())


def sold_lines(user, filters: Filters) -> QuerySet[InvoiceLine]:
    """Posted customer invoice and credit note lines of the user's company, within the
    filters, scoped to a rep's own orders (or own customers, for lines with no order)."""
    lines = InvoiceLine.objects.filter(
        invoice__company_id=user.company_id,
        invoice__status=Invoice.Status.POSTED,
        invoice__kind__in=CUSTOMER_KINDS,
    ).annotate(
        order_id=Coalesce(
            "invoice__sales_order_link__order_id",
            "invoice__reversed_invoice__sales_order_link__order_id",
        ),
        rep_id=Coalesce(
            "invoice__sales_order_link__order__owner_id",
            "invoice__reversed_invoice__sales_order_link__order__owner_id",
            "invoice__party__owner_id",
        ),
    )
    if not sees_all(user):
        lines = lines.filter(rep_id=user.pk)
    if filters.date_from:
        lines = lines.filter(invoice__date__gte=filters.date_from)
    if filters.date_to:
        lines = lines.filter(invoice__date__lte=filters.date_to)
    for name, value in filters.ids.items():
        lines = lines.filter(**{KEYS[name]: value})
    return lines


def _unit_costs(keys: set[tuple[int | None, int | None]]) -> dict[tuple, Decimal]:
    """Per (order, product): the unit cost the order's deliveries took out of stock;
    per (None, product): the product's average cost (two queries for all)."""
    orders = {order for order, _ in keys if order is not None}
    costs: dict[tuple, Decimal] = {}
    if orders:
        layers = (
            ValuationLayer.objects.filter(
                move__transfer__kind=Transfer.Kind.DELIVERY,
                move__transfer__origin_type=ContentType.objects.get_for_model(SalesOrder),
                move__transfer__origin_id__in=[str(order) for order in orders],
            )
            .values("move__transfer__origin_id", "product_id")
            .annotate(quantity=Sum("quantity"), value=Sum("value"))
            .order_by()
        )
        for row in layers:
            if row["quantity"]:
                key = (int(row["move__transfer__origin_id"]), row["product_id"])
                costs[key] = row["value"] / row["quantity"]
    missing = {product for key in keys if key not in costs for product in [key[1]] if product}
    if missing:
        for cost in ProductCost.objects.filter(product_id__in=missing):
            costs[(None, cost.product_id)] = cost.average_cost
    return costs


def _grouped(lines: QuerySet[InvoiceLine], key: str) -> list[dict]:
    """Quantity and revenue per (key, order, product): one GROUP BY."""
    return list(
        lines.values(key, "order_id", "product_id")
        .annotate(
            units=Sum(_signed(_scaled("quantity"), BigIntegerField())),
            revenue=Sum(_signed(F("amount_untaxed"), MoneyField())),
        )
        .order_by()
    )


def _cost(row: dict, costs: dict[tuple, Decimal], quantity: Decimal) -> Decimal:
    unit = costs.get((row["order_id"], row["product_id"]))
    if unit is None:
        unit = costs.get((None, row["product_id"]), ZERO)
    return (quantity * unit).quantize(CENT, ROUND_HALF_UP)


def _labels(slice_: str, keys: list) -> dict:
    """The name shown for each key of the slice (one query)."""
    if slice_ == "customer":
        return dict(Party.objects.filter(pk__in=keys).values_list("pk", "name"))
    if slice_ == "product":
        found = Product.objects.filter(pk__in=keys).values_list("pk", "sku", "name")
        return {pk: f"{sku} {name}".strip() for pk, sku, name in found}
    if slice_ == "category":
        return dict(ProductCategory.objects.filter(pk__in=keys).values_list("pk", "full_name"))
    if slice_ == "region":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    if slice_ == "channel":
        return dict(SalesChannel.objects.filter(pk__in=keys).values_list("pk", "name"))
    if slice_ == "rep":
        users = get_user_model().objects.filter(pk__in=keys)
        return {user.pk: user.get_full_name() or user.get_username() for user in users}
    return {}


def label_of(slice_: str, key: int) -> str:
    """The name of one value of a slice (one query)."""
    return _labels(slice_, [key]).get(key, "(none)")


def period_bounds(start: dt.date, grain: str) -> tuple[dt.date, dt.date, str]:
    """The first and last day of the period starting on `start`, and its label."""
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    month = start.month - 1 + months
    end = dt.date(start.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    label = {
        "month": f"{start:%Y-%m}",
        "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
        "year": f"{start.year}",
    }[grain]
    return start, end, label


def sales_summary(user, slice_: str, filters: Filters, grain: str = "month") -> Summary:
    """Quantity, revenue, cost and margin per value of `slice_`, largest revenue first
    (periods in date order), with the total; four queries whatever the size."""
    lines = sold_lines(user, filters)
    if slice_ == "period":
        lines = lines.annotate(period=GRAINS[grain]("invoice__date"))
        key = "period"
    else:
        key = KEYS[slice_]
    grouped = _grouped(lines, key)
    costs = _unit_costs({(row["order_id"], row["product_id"]) for row in grouped})
    rows: dict = {}
    for found in grouped:
        quantity = from_units(found["units"] or 0)
        row = rows.setdefault(found[key], Row(key=found[key], label=""))
        row.quantity += quantity
        row.revenue += found["revenue"] or ZERO
        row.cost += _cost(found, costs, quantity)
    labels = _labels(slice_, [k for k in rows if k is not None])
    for row in rows.values():
        if slice_ == "period":
            start = row.key if isinstance(row.key, dt.date) else row.key.date()
            row.date_from, row.date_to, row.label = period_bounds(start, grain)
        else:
            row.label = labels.get(row.key, "(none)") if row.key is not None else "(none)"
    ordered = sorted(
        rows.values(),
        key=(lambda r: r.date_from) if slice_ == "period" else (lambda r: (-r.revenue, r.label)),
    )
    total = Row(key=None, label="Total")
    for row in ordered:
        total.quantity += row.quantity
        total.revenue += row.revenue
        total.cost += row.cost
    return Summary(slice=slice_, rows=ordered, total=total)


@dataclass(frozen=True)
class Line:
    """One invoice line as the last drill-down level shows it."""

    invoice_id: int
    invoice: str
    date: dt.date
    customer: str
    product: str
    quantity: Decimal
    unit_price: Decimal
    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


def sales_lines(user, filters: Filters, *, limit: int = 500) -> list[Line]:
    """The invoice lines behind a figure, newest first (two queries)."""
    found = list(
        sold_lines(user, filters)
        .select_related("invoice__party", "product")
        .annotate(units=_signed(_scaled("quantity"), BigIntegerField()))
        .order_by("-invoice__date", "-invoice_id", "sequence", "id")[:limit]
    )
    costs = _unit_costs({(line.order_id, line.product_id) for line in found})
    result = []
    for line in found:
        quantity = from_units(line.units)
        revenue = line.amount_untaxed * (-1 if line.invoice.is_credit_note else 1)
        cost = _cost({"order_id": line.order_id, "product_id": line.product_id}, costs, quantity)
        result.append(
            Line(
                invoice_id=line.invoice_id,
                invoice=str(line.invoice),
                date=line.invoice.date,
                customer=line.invoice.party.name,
                product=f"{line.product.sku} {line.product.name}" if line.product else "",
                quantity=quantity,
                unit_price=line.unit_price,
                revenue=revenue,
                cost=cost,
            )
        )
    return result


def monthly(user, filters: Filters) -> list[Row]:
    """Revenue, cost and margin per month (for charts)."""
    return sales_summary(user, "period", filters, "month").rows


__all__ = [
    "DRILL",
    "FILTERS",
    "GRAINS",
    "SLICES",
    "Filters",
    "Line",
    "Row",
    "Summary",
    "label_of",
    "monthly",
    "period_bounds",
    "sales_lines",
    "sales_summary",
    "sold_lines",
]
