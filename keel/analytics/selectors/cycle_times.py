"""Average lead-to-cash time, per stage, by sales rep or by channel: where orders
wait.

For each order dated within the period the milestones are: the lead's creation, the
opportunity's, the quote date, the order date, the day it was fully delivered (its
last delivery), fully invoiced (its last invoice) and fully paid (the last
reconciliation of its invoices). A stage counts an order once both of its ends
exist; "Lead to cash" runs from the earliest milestone to the payment. Five queries
for any number of orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max

from keel.accounting.models import Invoice, Reconciliation
from keel.inventory.models import Transfer
from keel.sales.models import OrderInvoice, Progress, SalesOrder

from .scope import orders_visible_to
from .trail import day_of

MILESTONES = ("lead", "opportunity", "quotation", "order", "delivered", "invoiced", "paid")
STAGES = [
    ("lead", "opportunity", "Lead → opportunity"),
    ("opportunity", "quotation", "Opportunity → quotation"),
    ("quotation", "order", "Quotation → order"),
    ("order", "delivered", "Order → delivered"),
    ("delivered", "invoiced", "Delivered → invoiced"),
    ("invoiced", "paid", "Invoiced → paid"),
]
TOTAL = "Lead to cash"
GROUPS = {"rep": "Sales rep", "channel": "Channel", "all": "All orders"}


@dataclass
class Average:
    """Days summed over the orders that reached both ends of a stage."""

    days: int = 0
    orders: int = 0

    @property
    def value(self) -> Decimal | None:
        if not self.orders:
            return None
        return (Decimal(self.days) / self.orders).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Group:
    label: str
    orders: int = 0
    stages: dict[str, Average] = field(default_factory=dict)

    def add(self, stage: str, days: int) -> None:
        average = self.stages.setdefault(stage, Average())
        average.days += days
        average.orders += 1

    def average(self, stage: str) -> Decimal | None:
        found = self.stages.get(stage)
        return found.value if found else None


def milestones(orders: list[SalesOrder]) -> dict[int, dict[str, dt.date]]:
    """Per order: the date each milestone was reached (missing: not yet)."""
    ids = [order.pk for order in orders]
    delivered = dict(
        Transfer.objects.filter(
            origin_type=ContentType.objects.get_for_model(SalesOrder),
            origin_id__in=[str(pk) for pk in ids],
            kind=Transfer.Kind.DELIVERY,
            status=Transfer.Status.DONE,
        )
        .values("origin_id")
        .annotate(last=Max("done_date"))
        .values_list("origin_id", "last")
        .order_by()
    )
    invoiced = dict(
        OrderInvoice.objects.filter(order_id__in=ids, invoice__status=Invoice.Status.POSTED)
        .values("order_id")
        .annotate(last=Max("invoice__date"))
        .values_list("order_id", "last")
        .order_by()
    )
    paid = dict(
        Reconciliation.objects.filter(debit_item__invoice__sales_order_link__order_id__in=ids)
        .values("debit_item__invoice__sales_order_link__order_id")
        .annotate(last=Max("date"))
        .values_list("debit_item__invoice__sales_order_link__order_id", "last")
        .order_by()
    )
    result = {}
    for order in orders:
        quotation = order.quotation
        opportunity = quotation.opportunity if quotation else None
        lead = opportunity.lead if opportunity else None
        found = {
            "lead": day_of(lead.created_at) if lead else None,
            "opportunity": day_of(opportunity.created_at) if opportunity else None,
            "quotation": quotation.quote_date if quotation else None,
            "order": order.order_date,
            "delivered": delivered.get(str(order.pk))
            if order.delivery_status == Progress.FULL
            else None,
            "invoiced": invoiced.get(order.pk) if order.invoice_status == Progress.FULL else None,
            "paid": paid.get(order.pk)
            if order.payment_status == SalesOrder.PaymentStatus.PAID
            else None,
        }
        result[order.pk] = {k: v for k, v in found.items() if v is not None}
    return result


def _key(order: SalesOrder, by: str) -> tuple:
    if by == "rep":
        owner = order.owner
        return (owner.pk, owner.get_full_name() or owner.get_username()) if owner else (0, "")
    if by == "channel":
        channel = order.party.channel
        return (channel.pk, channel.name) if channel else (0, "")
    return (0, "All orders")


def lead_to_cash_times(
    user, date_from: dt.date, date_to: dt.date, by: str = "rep"
) -> tuple[list[Group], Group]:
    """Average days per stage for the orders `user` may see dated within the period,
    one group per rep or channel (by = "rep" | "channel" | "all"), and all together."""
    orders = list(
        orders_visible_to(user)
        .filter(order_date__range=(date_from, date_to))
        .exclude(status=SalesOrder.Status.CANCELLED)
        .select_related("quotation__opportunity__lead", "party__channel")
    )
    dates = milestones(orders)
    groups: dict[tuple, Group] = {}
    overall = Group(label="All orders")
    for order in orders:
        key = _key(order, by)
        group = groups.setdefault(key, Group(label=key[1] or "(none)"))
        reached = dates[order.pk]
        for target in (group, overall):
            target.orders += 1
            for start, end, label in STAGES:
                if start in reached and end in reached:
                    target.add(label, (reached[end] - reached[start]).days)
            if "paid" in reached:
                first = min(reached[m] for m in MILESTONES if m in reached)
                target.add(TOTAL, (reached["paid"] - first).days)
    ordered = sorted(groups.values(), key=lambda g: g.label)
    return ordered, overall


def stage_labels() -> list[str]:
    return [label for _, _, label in STAGES] + [TOTAL]
