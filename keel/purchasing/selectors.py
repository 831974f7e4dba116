"""Reads of purchasing: vendor prices in force, lists, the bid comparison."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet, Sum

from keel.accounting.models import Invoice, Reconciliation
from keel.core.models import ApprovalRequest
from keel.core.money import round_money
from keel.inventory.models import StockMove, Transfer

from .models import (
    BillMatch,
    BillMatchLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseSettings,
    Requisition,
    Rfq,
    RfqLine,
    RfqQuote,
    RfqVendor,
    VendorPrice,
)

ZERO = Decimal(0)


def _pk(value) -> int:
    return getattr(value, "pk", value)


def settings_of(company) -> PurchaseSettings:
    """The company's purchase settings; the defaults (10,000.00, 5%) when never set."""
    company_id = _pk(company)
    found = PurchaseSettings.objects.filter(company_id=company_id).first()
    return found or PurchaseSettings(company_id=company_id)


def valid_on(on_date: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on_date)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on_date)
    )


def price_for(company, vendor, product, quantity: Decimal, on_date: dt.date) -> VendorPrice | None:
    """The vendor's price row for `quantity` of `product` on `on_date`: the highest
    quantity break at or below the quantity, among rows valid that day."""
    return (
        VendorPrice.objects.filter(
            company_id=_pk(company),
            vendor_id=_pk(vendor),
            product_id=_pk(product),
            min_quantity__lte=quantity,
        )
        .filter(valid_on(on_date))
        .order_by("-min_quantity", "-id")
        .first()
    )


def preferred_prices(company, product_ids, on_date: dt.date) -> dict[int, VendorPrice]:
    """Per product, the preferred vendor's lowest-break row valid on `on_date` (what a
    reorder starts from: its minimum order quantity and lead time); one query."""
    rows = (
        VendorPrice.objects.filter(
            company_id=_pk(company), product_id__in=list(product_ids), preferred=True
        )
        .filter(valid_on(on_date))
        .select_related("vendor", "product")
        .order_by("product_id", "min_quantity", "id")
    )
    found: dict[int, VendorPrice] = {}
    for row in rows:
        found.setdefault(row.product_id, row)
    return found


def vendor_prices_of(company_id: int | None) -> QuerySet[VendorPrice]:
    return VendorPrice.objects.filter(company_id=company_id).select_related("vendor", "product")


def requisitions_of(company_id: int | None) -> QuerySet[Requisition]:
    return (
        Requisition.objects.filter(company_id=company_id)
        .select_related("requested_by", "warehouse")
        .prefetch_related("lines__product")
    )


def requisitions_visible_to(user, company_id: int | None) -> QuerySet[Requisition]:
    """Buyers (who decide requisitions) see all of them; everyone else their own."""
    found = requisitions_of(company_id)
    if user.has_perm("purchasing.approve_requisition"):
        return found
    return found.filter(requested_by=user)


def rfqs_of(company_id: int | None) -> QuerySet[Rfq]:
    return (
        Rfq.objects.filter(company_id=company_id)
        .select_related("warehouse", "awarded_vendor")
        .prefetch_related(
            Prefetch("lines", queryset=RfqLine.objects.select_related("product")),
            Prefetch(
                "vendors",
                queryset=RfqVendor.objects.select_related("vendor").prefetch_related(
                    Prefetch("quotes", queryset=RfqQuote.objects.all())
                ),
            ),
        )
    )


def orders_of(company_id: int | None) -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.filter(company_id=company_id)
        .select_related("vendor", "warehouse")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product"))
        )
    )


def bill_matches_of(company_id: int | None) -> QuerySet[BillMatch]:
    return BillMatch.objects.filter(company_id=company_id).select_related("bill", "order__vendor")


@dataclass
class Bid:
    """One vendor's reply to an RFQ, line by line, and its totals."""

    vendor_id: int
    vendor: str
    replied: bool
    prices: dict[int, Decimal] = field(default_factory=dict)  # per RFQ line id
    lead_days: dict[int, int] = field(default_factory=dict)
    total: Decimal = ZERO
    longest_lead_days: int = 0
    complete: bool = False
    cheapest: bool = False
    fastest: bool = False


def bid_comparison(rfq: Rfq) -> list[Bid]:
    """Every invited vendor's price per line, total and longest lead time, cheapest
    complete bid first; works from `rfqs_of` without further queries."""
    lines = list(rfq.lines.all())
    bids = []
    for invitation in rfq.vendors.all():
        bid = Bid(invitation.vendor_id, invitation.vendor.name, invitation.replied_at is not None)
        quotes = {q.line_id: q for q in invitation.quotes.all()}
        for line in lines:
            quote = quotes.get(line.pk)
            if quote is None:
                continue
            bid.prices[line.pk] = quote.unit_price
            bid.lead_days[line.pk] = quote.lead_days
            bid.total += round_money(quote.unit_price * line.quantity, rfq.currency)
            bid.longest_lead_days = max(bid.longest_lead_days, quote.lead_days)
        bid.complete = bool(lines) and len(bid.prices) == len(lines)
        bids.append(bid)
    complete = [b for b in bids if b.complete]
    if complete:
        low = min(b.total for b in complete)
        fast = min(b.longest_lead_days for b in complete)
        for bid in complete:
            bid.cheapest, bid.fastest = bid.total == low, bid.longest_lead_days == fast
    return sorted(bids, key=lambda b: (not b.complete, b.total, b.longest_lead_days, b.vendor))


def open_replenishment_products(company_id: int) -> set[tuple[int, int]]:
    """(product, warehouse) already on a draft or sent RFQ raised by replenishment."""
    return set(
        RfqLine.objects.filter(
            rfq__company_id=company_id,
            rfq__origin=Rfq.Origin.REPLENISHMENT,
            rfq__status__in=[Rfq.Status.DRAFT, Rfq.Status.SENT],
        ).values_list("product_id", "rfq__warehouse_id")
    )


def received_by_product(order: PurchaseOrder) -> dict[int, Decimal]:
    """What arrived of each product on the order's receipts (done moves), less what
    went back to the vendor on its returns."""
    rows = (
        StockMove.objects.filter(
            transfer__origin_type=ContentType.objects.get_for_model(PurchaseOrder),
            transfer__origin_id=str(order.pk),
            transfer__kind__in=[Transfer.Kind.RECEIPT, Transfer.Kind.DELIVERY],
            status=Transfer.Status.DONE,
        )
        .values("product_id", "transfer__kind")
        .annotate(done=Sum("quantity_done"))
        .order_by()
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        sign = 1 if row["transfer__kind"] == Transfer.Kind.RECEIPT else -1
        totals[row["product_id"]] += sign * (row["done"] or ZERO)
    return totals


def billed_by_line(order: PurchaseOrder) -> dict[int, Decimal]:
    """What is billed of each order line: its bills less its vendor credit notes."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for row in BillMatchLine.objects.filter(match__order=order).values(
        "order_line_id", "quantity", "match__bill__kind"
    ):
        sign = -1 if row["match__bill__kind"] == Invoice.Kind.VENDOR_CREDIT_NOTE else 1
        totals[row["order_line_id"]] += sign * row["quantity"]
    return totals


def open_receipts(order: PurchaseOrder):
    """The order's receipts still waiting, oldest scheduled first, with their moves."""
    return (
        Transfer.objects.filter(
            origin_type=ContentType.objects.get_for_model(PurchaseOrder),
            origin_id=str(order.pk),
            kind=Transfer.Kind.RECEIPT,
            status__in=[Transfer.Status.WAITING, Transfer.Status.READY],
        )
        .prefetch_related("moves")
        .order_by("scheduled_date", "id")
    )


def receipts_of(order: PurchaseOrder):
    return Transfer.objects.filter(
        origin_type=ContentType.objects.get_for_model(PurchaseOrder),
        origin_id=str(order.pk),
        kind=Transfer.Kind.RECEIPT,
    ).order_by("scheduled_date", "id")


def order_id_of_bill(invoice_id: int) -> int | None:
    """The purchase order a vendor bill was drawn from, if any."""
    return BillMatch.objects.filter(bill_id=invoice_id).values_list("order_id", flat=True).first()


@dataclass
class Trail:
    """Everything that happened to a purchase order, in order: where it came from,
    its approval, its receipts, its bills (with their match) and their payments."""

    order: PurchaseOrder
    approval: ApprovalRequest | None
    receipts: list[Transfer]
    bills: list[BillMatch]
    payments: list[dict]


def trail(order: PurchaseOrder) -> Trail:
    """The procure-to-pay trail of `order` in a fixed number of queries."""
    approval = (
        ApprovalRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(PurchaseOrder),
            object_id=str(order.pk),
        )
        .select_related("decided_by", "requested_by")
        .order_by("-created_at", "-id")
        .first()
    )
    receipts = list(
        receipts_of(order)
        .select_related("backorder_of")
        .prefetch_related(Prefetch("moves", queryset=StockMove.objects.select_related("product")))
    )
    matches = list(
        BillMatch.objects.filter(order=order).select_related("bill", "released_by").order_by("id")
    )
    bill_ids = [m.bill_id for m in matches]
    settled = (
        Reconciliation.objects.filter(
            Q(credit_item__invoice_id__in=bill_ids, debit_item__payment__isnull=False)
            | Q(debit_item__invoice_id__in=bill_ids, credit_item__payment__isnull=False)
        )
        .select_related("debit_item__payment", "credit_item__payment")
        .select_related("debit_item__invoice", "credit_item__invoice")
        .order_by("date", "id")
    )
    payments = []
    for row in settled:
        payment = row.debit_item.payment or row.credit_item.payment
        bill = row.credit_item.invoice or row.debit_item.invoice
        payments.append(
            {"payment": payment, "bill": bill, "date": row.date, "amount": row.amount_currency}
        )
    return Trail(order, approval, receipts, matches, payments)
