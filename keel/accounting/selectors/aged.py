"""Aged receivables and payables: what each party owes (or is owed) at a date,
spread over buckets by how many days past due.

The open amount per party comes from the maintained party balances. Until
invoices and reconciliation exist, payments are taken to settle the oldest
items first, so the open amount is made of the party's most recent items;
an item's due date is its line's `due_date`, else the entry date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from keel.parties.models import Party

from ..models import AccountRole, JournalLine, PartyBalance, Period
from .chart import account_for_role

ZERO = Decimal(0)
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")
BUCKET_LABELS = {
    "current": "Current",
    "days_1_30": "1-30",
    "days_31_60": "31-60",
    "days_61_90": "61-90",
    "over_90": "> 90",
}


def bucket_of(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "days_1_30"
    if days_overdue <= 60:
        return "days_31_60"
    if days_overdue <= 90:
        return "days_61_90"
    return "over_90"


def open_balances(company_id: int, account_id: int, as_of: dt.date) -> dict[int, Decimal]:
    """Debit − credit per party on the account at the end of `as_of` (two grouped reads)."""
    whole = Period.objects.filter(company_id=company_id, end__lte=as_of).values("id")
    balances: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        PartyBalance.objects.filter(company_id=company_id, account_id=account_id)
        .filter(period_id__in=whole)
        .values("party_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    for row in rows:
        balances[row["party_id"]] += row["d"] - row["c"]
    partial = Period.objects.filter(company_id=company_id, start__lte=as_of, end__gt=as_of)
    edge = (
        JournalLine.objects.filter(
            company_id=company_id,
            account_id=account_id,
            party__isnull=False,
            period_id__in=partial.values("id"),
            date__lte=as_of,
        )
        .values("party_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    for row in edge:
        balances[row["party_id"]] += row["d"] - row["c"]
    return {party: amount for party, amount in balances.items() if amount}


def aged_balance(company_id: int, as_of: dt.date, kind: str = "receivable") -> dict:
    """Per party: the open amount split into current / 1-30 / 31-60 / 61-90 / >90 days
    past due at `as_of`, with totals. `kind` is "receivable" or "payable"; amounts are
    positive when the customer owes us (receivable) or we owe the supplier (payable)."""
    role = AccountRole.RECEIVABLE if kind == "receivable" else AccountRole.PAYABLE
    sign = 1 if role == AccountRole.RECEIVABLE else -1
    account = account_for_role(company_id, role)
    balances = {
        p: amount * sign for p, amount in open_balances(company_id, account.pk, as_of).items()
    }
    owing = [party for party, amount in balances.items() if amount > 0]
    increasing = {"debit__gt": 0} if sign == 1 else {"credit__gt": 0}
    items = (
        JournalLine.objects.filter(
            company_id=company_id,
            account_id=account.pk,
            party_id__in=owing,
            date__lte=as_of,
            **increasing,
        )
        .annotate(due=Coalesce("due_date", "date"))
        .order_by("party_id", "-due", "-id")
        .values_list("party_id", "due", "debit", "credit")
    )
    rows: dict[int, dict] = {}
    left = dict(balances)
    for party_id, due, debit, credit in items.iterator(chunk_size=5000):
        remaining = left[party_id]
        if remaining <= 0:
            continue
        amount = min(debit if sign == 1 else credit, remaining)
        left[party_id] = remaining - amount
        row = rows.setdefault(party_id, dict.fromkeys(BUCKETS, ZERO))
        row[bucket_of((as_of - due).days)] += amount
    for party_id, amount in balances.items():
        row = rows.setdefault(party_id, dict.fromkeys(BUCKETS, ZERO))
        if amount < 0 or left[party_id] > 0:
            # Overpaid (negative) or older than any item we can see: show it as current.
            row["current"] += amount if amount < 0 else left[party_id]
    names = dict(Party.objects.filter(pk__in=rows).values_list("pk", "name"))
    report, totals = [], {**dict.fromkeys(BUCKETS, ZERO), "total": ZERO}
    for party_id, row in rows.items():
        row["total"] = sum((row[b] for b in BUCKETS), ZERO)
        for key in totals:
            totals[key] += row[key]
        report.append({"party_id": party_id, "party": names.get(party_id, ""), **row})
    report.sort(key=lambda r: (r["party"], r["party_id"]))
    return {
        "as_of": as_of,
        "kind": kind,
        "account": f"{account.code} {account.name}",
        "rows": report,
        "totals": totals,
    }


__all__ = ["BUCKETS", "BUCKET_LABELS", "aged_balance", "bucket_of", "open_balances"]
