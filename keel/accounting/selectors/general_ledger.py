"""General ledger detail and the customer statement: an opening balance read from
the maintained balances, then the lines of the range with a running balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from keel.parties.models import Party

from ..models import Account, JournalLine, PartyBalance, Period
from .chart import account_for_role
from .reports import account_sums

ZERO = Decimal(0)
MAX_LINES = 5000


def _periods_touching(company_id: int, date_from: dt.date, date_to: dt.date) -> list[int]:
    return list(
        Period.objects.filter(
            company_id=company_id, end__gte=date_from, start__lte=date_to
        ).values_list("id", flat=True)
    )


def _line_rows(lines, opening: Decimal, limit: int) -> tuple[list[dict], Decimal, Decimal, bool]:
    rows, running, debit, credit = [], opening, ZERO, ZERO
    values = lines.values(
        "id",
        "date",
        "entry_id",
        "entry__number",
        "entry__ref",
        "label",
        "party_id",
        "party__name",
        "account__code",
        "debit",
        "credit",
        "due_date",
    )[: limit + 1]
    for line in values:
        if len(rows) == limit:
            return rows, debit, credit, True
        running += line["debit"] - line["credit"]
        debit += line["debit"]
        credit += line["credit"]
        rows.append(
            {
                "date": line["date"],
                "entry_id": line["entry_id"],
                "number": line["entry__number"],
                "ref": line["entry__ref"],
                "label": line["label"],
                "account": line["account__code"],
                "party": line["party__name"] or "",
                "due_date": line["due_date"],
                "debit": line["debit"],
                "credit": line["credit"],
                "balance": running,
            }
        )
    return rows, debit, credit, False


def general_ledger(
    company_id: int,
    account_id: int,
    date_from: dt.date,
    date_to: dt.date,
    *,
    limit: int = MAX_LINES,
) -> dict:
    """One account's lines of [date_from, date_to] after its opening balance (the sum
    of everything before, from the maintained balances), each with the running balance.
    `truncated` says the range held more than `limit` lines (narrow the dates)."""
    account = Account.objects.get(company_id=company_id, pk=account_id)
    before = account_sums(company_id, None, date_from - dt.timedelta(days=1))
    od, oc = before.get(account_id, (ZERO, ZERO))
    opening = od - oc
    lines = JournalLine.objects.filter(
        company_id=company_id,
        account_id=account_id,
        period_id__in=_periods_touching(company_id, date_from, date_to),
        date__gte=date_from,
        date__lte=date_to,
    ).order_by("date", "entry_id", "sequence")
    rows, debit, credit, truncated = _line_rows(lines, opening, limit)
    if truncated:  # the totals still cover the whole range
        sums = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
        debit, credit = sums["d"] or ZERO, sums["c"] or ZERO
    return {
        "account_id": account.pk,
        "code": account.code,
        "name": account.name,
        "date_from": date_from,
        "date_to": date_to,
        "opening": opening,
        "lines": rows,
        "debit": debit,
        "credit": credit,
        "closing": opening + debit - credit,
        "truncated": truncated,
    }


def party_balance_before(company_id: int, account_id: int, party_id: int, day: dt.date) -> Decimal:
    """The party's balance on the account at the end of `day`: whole periods from the
    maintained party balances, the partial last period from its lines."""
    whole = Period.objects.filter(company_id=company_id, end__lte=day).values("id")
    sums = PartyBalance.objects.filter(
        company_id=company_id, account_id=account_id, party_id=party_id, period_id__in=whole
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    balance = (sums["d"] or ZERO) - (sums["c"] or ZERO)
    partial = Period.objects.filter(company_id=company_id, start__lte=day, end__gt=day).first()
    if partial is not None:
        edge = JournalLine.objects.filter(
            company_id=company_id,
            account_id=account_id,
            party_id=party_id,
            period_id=partial.pk,
            date__lte=day,
        ).aggregate(d=Sum("debit"), c=Sum("credit"))
        balance += (edge["d"] or ZERO) - (edge["c"] or ZERO)
    return balance


def customer_statement(
    company_id: int,
    party_id: int,
    date_from: dt.date,
    date_to: dt.date,
    *,
    role: str = "receivable",
    limit: int = MAX_LINES,
) -> dict:
    """What a customer owes: the opening balance on the receivable account, the lines
    of the range (invoices, payments) with the running balance, and the balance due."""
    account = account_for_role(company_id, role)
    party = Party.objects.get(company_id=company_id, pk=party_id)
    opening = party_balance_before(
        company_id, account.pk, party_id, date_from - dt.timedelta(days=1)
    )
    lines = JournalLine.objects.filter(
        company_id=company_id,
        account_id=account.pk,
        party_id=party_id,
        date__gte=date_from,
        date__lte=date_to,
    ).order_by("date", "entry_id", "sequence")
    rows, debit, credit, truncated = _line_rows(lines, opening, limit)
    return {
        "party_id": party_id,
        "party": party.name,
        "account": f"{account.code} {account.name}",
        "date_from": date_from,
        "date_to": date_to,
        "opening": opening,
        "lines": rows,
        "debit": debit,
        "credit": credit,
        "closing": opening + debit - credit,
        "truncated": truncated,
    }
