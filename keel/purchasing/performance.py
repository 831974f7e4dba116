"""Supplier performance and spend (read only): on-time delivery, actual against
promised lead times and price variance per vendor; spend by vendor, category and
month. Each figure reads the receipts and bills of the period in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from keel.accounting.models import Invoice, InvoiceLine
from keel.core.money import round_money
from keel.inventory.models import StockMove, Transfer

from .models import BillMatchLine, PurchaseOrder, PurchaseOrderLine

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass
class VendorPerformance:
    vendor_id: int
    vendor: str
    deliveries: int = 0  # done receipt moves
    on_time: int = 0  # done on or before the line's expected date
    actual_days: int = 0  # sum over deliveries: done date - order date
    promised_days: int = 0  # sum over deliveries: the line's lead time
    ordered_value: Decimal = ZERO  # billed quantities at the ordered price
    billed_value: Decimal = ZERO  # the same quantities at the billed price

    @property
    def on_time_rate(self) -> Decimal | None:
        """Percent of deliveries on time, 1 decimal."""
        if not self.deliveries:
            return None
        return (Decimal(self.on_time) * HUNDRED / self.deliveries).quantize(Decimal("0.1"))

    @property
    def average_actual_days(self) -> Decimal | None:
        if not self.deliveries:
            return None
        return (Decimal(self.actual_days) / self.deliveries).quantize(Decimal("0.1"))

    @property
    def average_promised_days(self) -> Decimal | None:
        if not self.deliveries:
            return None
        return (Decimal(self.promised_days) / self.deliveries).quantize(Decimal("0.1"))

    @property
    def price_variance(self) -> Decimal | None:
        """Billed against ordered, in percent (+ = paid more than ordered), 2 decimals."""
        if not self.ordered_value:
            return None
        change = (self.billed_value - self.ordered_value) * HUNDRED / self.ordered_value
        return change.quantize(Decimal("0.01"))


def supplier_performance(
    company_id: int, date_from: dt.date, date_to: dt.date
) -> list[VendorPerformance]:
    """Per vendor over receipts done and bills dated in the period, by vendor name;
    three queries."""
    found: dict[int, VendorPerformance] = {}

    def of(vendor_id: int, name: str) -> VendorPerformance:
        return found.setdefault(vendor_id, VendorPerformance(vendor_id, name))

    lines = {
        (row["order_id"], row["product_id"]): row
        for row in PurchaseOrderLine.objects.filter(
            order__company_id=company_id,
            order__status__in=["confirmed", "received", "billed", "done"],
        ).values(
            "order_id",
            "product_id",
            "expected_date",
            "lead_days",
            "order__order_date",
            "order__vendor_id",
            "order__vendor__name",
        )
    }
    moves = StockMove.objects.filter(
        transfer__company_id=company_id,
        transfer__kind=Transfer.Kind.RECEIPT,
        transfer__origin_type=ContentType.objects.get_for_model(PurchaseOrder),
        transfer__done_date__gte=date_from,
        transfer__done_date__lte=date_to,
        status=Transfer.Status.DONE,
    ).values("transfer__origin_id", "product_id", "transfer__done_date")
    for move in moves:
        line = lines.get((int(move["transfer__origin_id"]), move["product_id"]))
        if line is None:
            continue
        stats = of(line["order__vendor_id"], line["order__vendor__name"])
        done = move["transfer__done_date"]
        stats.deliveries += 1
        stats.on_time += done <= line["expected_date"]
        stats.actual_days += (done - line["order__order_date"]).days
        stats.promised_days += line["lead_days"]
    billed = BillMatchLine.objects.filter(
        match__company_id=company_id,
        match__bill__status=Invoice.Status.POSTED,
        match__bill__date__gte=date_from,
        match__bill__date__lte=date_to,
    ).values(
        "quantity",
        "unit_price",
        "order_line__unit_price",
        "match__order__vendor_id",
        "match__order__vendor__name",
    )
    for row in billed:
        stats = of(row["match__order__vendor_id"], row["match__order__vendor__name"])
        stats.ordered_value += row["quantity"] * row["order_line__unit_price"]
        stats.billed_value += row["quantity"] * row["unit_price"]
    return sorted(found.values(), key=lambda s: s.vendor)


@dataclass
class Spend:
    by_vendor: list[tuple[str, Decimal]]
    by_category: list[tuple[str, Decimal]]
    by_month: list[tuple[str, Decimal]]  # "2026-06"
    total: Decimal


def spend(company_id: int, date_from: dt.date, date_to: dt.date, currency: str) -> Spend:
    """What posted vendor bills drawn from orders cost before tax, converted at their
    rate to the company's currency, by vendor, product category and month; one query."""
    rows = InvoiceLine.objects.filter(
        invoice__company_id=company_id,
        invoice__kind=Invoice.Kind.VENDOR_BILL,
        invoice__status=Invoice.Status.POSTED,
        invoice__purchase_match__isnull=False,
        invoice__date__gte=date_from,
        invoice__date__lte=date_to,
    ).values(
        "amount_untaxed",
        "invoice__rate",
        "invoice__date",
        "invoice__party__name",
        "product__category__name",
    )
    vendors: dict[str, Decimal] = defaultdict(Decimal)
    categories: dict[str, Decimal] = defaultdict(Decimal)
    months: dict[str, Decimal] = defaultdict(Decimal)
    total = ZERO
    for row in rows:
        amount = round_money(row["amount_untaxed"] * row["invoice__rate"], currency)
        vendors[row["invoice__party__name"]] += amount
        categories[row["product__category__name"] or "Uncategorised"] += amount
        months[row["invoice__date"].strftime("%Y-%m")] += amount
        total += amount

    def largest_first(sums: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
        return sorted(sums.items(), key=lambda item: (-item[1], item[0]))

    return Spend(largest_first(vendors), largest_first(categories), sorted(months.items()), total)
