"""Everything about one customer on one page: who to talk to, what is in the
pipeline, what was quoted and ordered and how far each order got, what it owes and
how late, how much credit is left, and what it buys and earns us."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from keel.accounting.models import AccountRole, Invoice, OpenItem
from keel.accounting.selectors.aged import BUCKET_LABELS, BUCKETS, bucket_of
from keel.crm.models import Opportunity
from keel.crm.selectors import opportunities_visible_to
from keel.parties.models import Party
from keel.sales.models import SalesOrder

from .sales import CUSTOMER_KINDS, Filters, Row, sales_summary
from .scope import orders_visible_to, quotations_visible_to

ZERO = Decimal(0)
SHOWN = 50  # documents of each kind listed on the page (newest first)


@dataclass
class Credit:
    """The credit limit against what is owed: None when the customer has no limit."""

    limit: Decimal | None
    owed: Decimal
    on_hold: int  # orders held by the credit check

    @property
    def available(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.owed

    @property
    def status(self) -> str:
        if self.on_hold:
            return "On hold"
        if self.limit is None:
            return "No limit"
        return "Over limit" if self.owed > self.limit else "Within limit"


@dataclass
class Customer360:
    party: Party
    as_of: dt.date
    contacts: list[Party]
    opportunities: list[Opportunity]
    quotations: list
    orders: list[SalesOrder]
    invoices: list[Invoice]
    ageing: list[tuple[str, Decimal]]  # (bucket label, open amount)
    balance: Decimal
    credit: Credit
    by_product: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)


def _open_items(party: Party) -> list[tuple[dt.date, Decimal]]:
    """(due date, residual) of the customer's open receivable items (one query)."""
    return list(
        OpenItem.objects.filter(party=party, account__role=AccountRole.RECEIVABLE)
        .exclude(residual=0)
        .values_list("due_date", "residual")
    )


def customer_360(party: Party, user, as_of: dt.date) -> Customer360:
    """The customer 360 of `party` as `user` may see it on `as_of` (a rep: only their
    own opportunities, quotations and orders); a fixed number of queries."""
    items = _open_items(party)
    buckets = dict.fromkeys(BUCKETS, ZERO)
    for due, residual in items:
        buckets[bucket_of((as_of - due).days)] += residual
    balance = sum((residual for _, residual in items), ZERO)
    opportunities = opportunities_visible_to(user).filter(
        party=party, status=Opportunity.Status.OPEN
    )
    held = SalesOrder.objects.filter(party=party, status=SalesOrder.Status.ON_HOLD).count()
    invoices = (
        Invoice.objects.filter(party=party, kind__in=CUSTOMER_KINDS)
        .exclude(status=Invoice.Status.DRAFT)
        .annotate(
            open_amount=Sum(
                "open_items__residual", filter=Q(open_items__account__role=AccountRole.RECEIVABLE)
            )
        )
        .order_by("-date", "-id")[:SHOWN]
    )
    filters = Filters(ids={"customer": party.pk})
    return Customer360(
        party=party,
        as_of=as_of,
        contacts=list(Party.objects.filter(organisation=party, active=True).order_by("name", "id")),
        opportunities=list(opportunities.order_by("expected_close", "id")),
        quotations=list(quotations_visible_to(user).filter(party=party)[:SHOWN]),
        orders=list(orders_visible_to(user).filter(party=party)[:SHOWN]),
        invoices=list(invoices),
        ageing=[(BUCKET_LABELS[b], buckets[b]) for b in BUCKETS],
        balance=balance,
        credit=Credit(limit=party.credit_limit, owed=balance, on_hold=held),
        by_product=sales_summary(user, "product", filters).rows,
        by_month=sales_summary(user, "period", filters, "month").rows,
    )
