"""The lead-to-cash trail: lead -> opportunity -> quotation -> order -> deliveries ->
invoices -> payments, with the journal entries that booked them, each with its date,
who did it, a link, and how many days it took since the step before.

Dates are the documents' own business dates (quote date, order date, the day a
delivery was done, invoice and payment dates); the lead and the opportunity have
none, so their creation is used, and "sent" and delivery validation come from the
status log (`core.StatusChange`) for who did them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from keel.accounting.models import Invoice, JournalEntry, Payment, Reconciliation
from keel.core.models import StatusChange
from keel.core.money import format_money
from keel.crm.models import Opportunity
from keel.inventory.models import Transfer
from keel.sales.models import Quotation, SalesOrder


@dataclass
class Step:
    """One link of the chain."""

    stage: str  # Lead, Opportunity, Quotation, Sent, Order, Delivery, Invoice, Payment, Entry
    title: str
    date: dt.date
    user: str = ""
    link: str = ""
    days: int | None = None  # since the step before it in the chain (None: a booking)
    detail: str = ""


def day_of(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def admin_link(record) -> str:
    """The record's page in the workspace ('' when it has none)."""
    opts = record._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return ""


def _chain(steps: list[Step]) -> list[Step]:
    """Days of each chain step since the one before (bookings keep None)."""
    previous = None
    for step in steps:
        if step.stage == "Entry":
            continue
        step.days = (step.date - previous).days if previous else None
        previous = step.date
    return steps


def _status_log(records: list) -> dict[tuple[int, str, str], StatusChange]:
    """The latest change into each status, per (content type, id, to_status)."""
    if not records:
        return {}
    wanted = Q()
    for record in records:
        wanted |= Q(
            content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
        )
    log = {}
    for change in StatusChange.objects.filter(wanted).select_related("changed_by"):
        log.setdefault((change.content_type_id, change.object_id, change.to_status), change)
    return log


def _head(opportunity: Opportunity | None) -> list[Step]:
    """The lead and the opportunity (already loaded with the order or quotation)."""
    steps: list[Step] = []
    if opportunity is None:
        return steps
    lead = opportunity.lead
    if lead is not None:
        steps.append(
            Step(
                "Lead",
                str(lead),
                day_of(lead.created_at),
                _person(lead.created_by or lead.owner),
                admin_link(lead),
                detail=lead.get_source_display(),
            )
        )
    steps.append(
        Step(
            "Opportunity",
            opportunity.name,
            day_of(opportunity.created_at),
            _person(opportunity.owner),
            admin_link(opportunity),
            detail=opportunity.get_status_display(),
        )
    )
    return steps


def _quotation_steps(quotation: Quotation, log: dict) -> list[Step]:
    steps = [
        Step(
            "Quotation",
            str(quotation),
            quotation.quote_date,
            _person(quotation.created_by or quotation.owner),
            admin_link(quotation),
            detail=quotation.get_status_display(),
        )
    ]
    ct = ContentType.objects.get_for_model(Quotation).pk
    sent = log.get((ct, str(quotation.pk), Quotation.Status.SENT))
    if sent is not None:
        steps.append(
            Step("Sent", str(quotation), day_of(sent.changed_at), _person(sent.changed_by))
        )
    return steps


def _downstream(orders: list[SalesOrder]) -> dict[int, list[Step]]:
    """Per order: the order, its deliveries, invoices and payments and their entries;
    six queries for any number of orders."""
    if not orders:
        return {}
    order_type = ContentType.objects.get_for_model(SalesOrder)
    transfers = list(
        Transfer.objects.filter(
            origin_type=order_type,
            origin_id__in=[str(o.pk) for o in orders],
            kind=Transfer.Kind.DELIVERY,
            status=Transfer.Status.DONE,
        ).order_by("done_date", "id")
    )
    invoices = list(
        Invoice.objects.filter(sales_order_link__order__in=orders)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("created_by")
        .annotate(order_id=F("sales_order_link__order_id"))
        .order_by("date", "id")
    )
    settled = Reconciliation.objects.filter(debit_item__invoice__in=invoices).values_list(
        "debit_item__invoice_id", "credit_item__payment_id"
    )
    payments_of: dict[int, set[int]] = defaultdict(set)
    for invoice_id, payment_id in settled:
        if payment_id:
            payments_of[invoice_id].add(payment_id)
    payments = {
        p.pk: p
        for p in Payment.objects.filter(
            pk__in={p for found in payments_of.values() for p in found}
        ).select_related("created_by")
    }
    transfer_type = ContentType.objects.get_for_model(Transfer)
    entries = list(
        JournalEntry.objects.filter(
            Q(source_type=transfer_type, source_id__in=[str(t.pk) for t in transfers])
            | Q(pk__in=[i.entry_id for i in invoices if i.entry_id])
            | Q(pk__in=[p.entry_id for p in payments.values() if p.entry_id])
        )
        .select_related("posted_by")
        .order_by("date", "id")
    )
    log = _status_log(transfers)
    by_transfer = {e.source_id: e for e in entries if e.source_type_id == transfer_type.pk}
    by_id = {e.pk: e for e in entries}

    def entry(found: JournalEntry | None, of: str) -> list[Step]:
        if found is None:
            return []
        return [
            Step(
                "Entry",
                found.number,
                found.date,
                _person(found.posted_by),
                admin_link(found),
                detail=f"books {of}",
            )
        ]

    result: dict[int, list[Step]] = {}
    for order in orders:
        steps = [
            Step(
                "Order",
                str(order),
                order.order_date,
                _person(order.created_by or order.owner),
                admin_link(order),
                detail=order.get_status_display(),
            )
        ]
        for transfer in transfers:
            if transfer.origin_id != str(order.pk):
                continue
            done = log.get((transfer_type.pk, str(transfer.pk), Transfer.Status.DONE))
            steps.append(
                Step(
                    "Delivery",
                    str(transfer),
                    transfer.done_date,
                    _person(done.changed_by) if done else "",
                    admin_link(transfer),
                )
            )
            steps += entry(by_transfer.get(str(transfer.pk)), str(transfer))
        seen: set[int] = set()
        for invoice in invoices:
            if invoice.order_id != order.pk:
                continue
            steps.append(
                Step(
                    "Invoice",
                    str(invoice),
                    invoice.date,
                    _person(invoice.created_by),
                    admin_link(invoice),
                    detail=format_money(invoice.amount_total, invoice.currency or order.currency),
                )
            )
            steps += entry(by_id.get(invoice.entry_id), str(invoice))
            for payment_id in sorted(payments_of[invoice.pk] - seen):
                seen.add(payment_id)
                payment = payments[payment_id]
                steps.append(
                    Step(
                        "Payment",
                        str(payment),
                        payment.date,
                        _person(payment.created_by),
                        admin_link(payment),
                        detail=format_money(payment.amount, payment.currency),
                    )
                )
                steps += entry(by_id.get(payment.entry_id), str(payment))
        result[order.pk] = steps
    return result


@dataclass
class Trail:
    title: str
    steps: list[Step]

    @property
    def total_days(self) -> int | None:
        """From the first step to the last payment (None until something is paid)."""
        paid = [s.date for s in self.steps if s.stage == "Payment"]
        return (max(paid) - self.steps[0].date).days if paid and self.steps else None


def order_trail(order: SalesOrder) -> Trail:
    """The trail of one order, from its lead (if any) to its payments."""
    order = (
        SalesOrder.objects.select_related(
            "quotation__opportunity__lead__created_by",
            "quotation__opportunity__lead__owner",
            "quotation__opportunity__owner",
            "quotation__created_by",
            "quotation__owner",
            "created_by",
            "owner",
        )
        .filter(pk=order.pk)
        .get()
    )
    quotation = order.quotation
    steps = _head(quotation.opportunity if quotation else None)
    if quotation is not None:
        steps += _quotation_steps(quotation, _status_log([quotation]))
    steps += _downstream([order])[order.pk]
    return Trail(title=f"Lead to cash of {order}", steps=_chain(steps))


def opportunity_trail(opportunity: Opportunity) -> Trail:
    """The trail of an opportunity: its lead, then each quotation and what became of it."""
    opportunity = (
        Opportunity.objects.select_related("lead__created_by", "lead__owner", "owner")
        .filter(pk=opportunity.pk)
        .get()
    )
    quotations = list(
        Quotation.objects.filter(opportunity=opportunity)
        .select_related("created_by", "owner")
        .order_by("quote_date", "id")
    )
    orders = list(
        SalesOrder.objects.filter(quotation__in=quotations).select_related("created_by", "owner")
    )
    order_of = {order.quotation_id: order for order in orders}
    log = _status_log(quotations)
    downstream = _downstream(orders)
    steps = _head(opportunity)
    for quotation in quotations:
        steps += _quotation_steps(quotation, log)
        if quotation.pk in order_of:
            steps += downstream[order_of[quotation.pk].pk]
    return Trail(title=f"Lead to cash of {opportunity.name}", steps=_chain(steps))
