"""Reads of invoices, payments and open items; nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from ..models import Invoice, InvoiceLine, OpenItem, PartyBalance, Payment

ZERO = Decimal(0)
CUSTOMER_KINDS = (Invoice.Kind.CUSTOMER_INVOICE, Invoice.Kind.CUSTOMER_CREDIT_NOTE)
VENDOR_KINDS = (Invoice.Kind.VENDOR_BILL, Invoice.Kind.VENDOR_CREDIT_NOTE)


def invoices_of(company_id: int | None) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(company_id=company_id)
        .select_related("party", "payment_term", "journal")
        .order_by("-date", "-id")
    )


def visible_kinds(user) -> tuple[str, ...]:
    """The document kinds a user may read: customer ones, vendor ones, or both."""
    kinds: tuple[str, ...] = ()
    if user.has_perm("accounting.view_customer_invoices"):
        kinds += CUSTOMER_KINDS
    if user.has_perm("accounting.view_vendor_bills"):
        kinds += VENDOR_KINDS
    return kinds


def invoices_visible_to(user, company_id: int | None) -> QuerySet[Invoice]:
    return invoices_of(company_id).filter(kind__in=visible_kinds(user))


def with_lines(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return queryset.prefetch_related(
        Prefetch(
            "lines",
            queryset=InvoiceLine.objects.select_related("product").prefetch_related("taxes"),
        )
    )


def payments_of(company_id: int | None) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(company_id=company_id)
        .select_related("party", "journal")
        .order_by("-date", "-id")
    )


def open_items_of(company_id: int | None, *, party_id: int | None = None) -> QuerySet[OpenItem]:
    """Items with something left to settle, oldest due first."""
    items = OpenItem.objects.filter(company_id=company_id).exclude(residual=0, residual_currency=0)
    if party_id is not None:
        items = items.filter(party_id=party_id)
    return items.select_related("entry", "invoice", "party").order_by("due_date", "id")


def residual_of(invoice: Invoice) -> Decimal:
    """What is left to pay on a document, in its currency (positive)."""
    total = invoice.open_items.aggregate(left=Sum("residual_currency"))["left"]
    return abs(total or ZERO)


def control_differences(company_id: int, role: str = "receivable") -> dict[int, tuple]:
    """Parties whose balance on the `role` account differs from the sum of their
    open items: {party_id: (ledger balance, Σ residuals)}; empty when they agree."""
    ledger: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        PartyBalance.objects.filter(company_id=company_id, account__role=role)
        .values("party_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    ):
        ledger[row["party_id"]] += row["d"] - row["c"]
    items: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        OpenItem.objects.filter(company_id=company_id, account__role=role)
        .values("party_id")
        .annotate(left=Sum("residual"))
    ):
        items[row["party_id"]] += row["left"]
    return {
        party: (ledger[party], items[party])
        for party in set(ledger) | set(items)
        if ledger[party] != items[party]
    }
