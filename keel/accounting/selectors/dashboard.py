"""The accounting dashboard's figures: what is due to and from us by age, cash and bank,
and this month's profit against last month's.

Every figure comes from the maintained balances (per account × period, per party ×
account × period) through the report selectors; the number of queries is fixed and does
not grow with the number of invoices or entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from keel.core.errors import DomainError
from keel.core.models import Company

from ..models import AccountBalance, AccountRole
from .aged import BUCKET_LABELS, BUCKETS, aged_balance
from .chart import accounts_of
from .reports import account_sums, profit_and_loss

ZERO = Decimal(0)
CASH_ROLES = (AccountRole.BANK, AccountRole.CASH)
MONTHS_OF_CASH = 12
TOP_OVERDUE = 5


@dataclass
class Ageing:
    """Open amounts by bucket (current, 1-30, 31-60, 61-90, > 90 days past due)."""

    buckets: list[tuple[str, Decimal]] = field(default_factory=list)
    total: Decimal = ZERO
    overdue: Decimal = ZERO
    rows: list[dict] = field(default_factory=list)
    problem: str = ""  # why the figures are missing (no receivable account, say)


@dataclass
class CashAccount:
    account_id: int
    code: str
    name: str
    balance: Decimal


@dataclass
class ProfitMonth:
    start: dt.date
    end: dt.date
    income: Decimal
    expenses: Decimal
    net: Decimal


@dataclass
class Dashboard:
    as_of: dt.date
    currency: str
    receivables: Ageing
    payables: Ageing
    cash_accounts: list[CashAccount]
    cash_total: Decimal
    # (first day of month, balance at its end; for the month of as_of, at as_of)
    cash_by_month: list[tuple[dt.date, Decimal]]
    this_month: ProfitMonth
    last_month: ProfitMonth
    top_overdue: list[dict]


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    """The first day of the month `months_back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return month_start(day, -1) - dt.timedelta(days=1)


def ageing(company_id: int, as_of: dt.date, kind: str) -> Ageing:
    """The aged balance's totals by bucket, and its rows (per party)."""
    try:
        report = aged_balance(company_id, as_of, kind)
    except DomainError as error:
        return Ageing(
            buckets=[(BUCKET_LABELS[b], ZERO) for b in BUCKETS], problem=str(error.detail)
        )
    totals = report["totals"]
    return Ageing(
        buckets=[(BUCKET_LABELS[b], totals[b]) for b in BUCKETS],
        total=totals["total"],
        overdue=totals["total"] - totals["current"],
        rows=report["rows"],
    )


def top_overdue(rows: list[dict], limit: int = TOP_OVERDUE) -> list[dict]:
    """The parties with the most past due (all buckets but current), largest first."""
    overdue = [
        {"party_id": r["party_id"], "party": r["party"], "overdue": r["total"] - r["current"]}
        for r in rows
    ]
    overdue = [r for r in overdue if r["overdue"] > 0]
    overdue.sort(key=lambda r: (-r["overdue"], r["party"], r["party_id"]))
    return overdue[:limit]


def cash_accounts(company_id: int, as_of: dt.date) -> list[CashAccount]:
    """Accounts of role bank or cash and their balance at the end of `as_of`."""
    accounts = list(accounts_of(company_id).filter(role__in=CASH_ROLES))
    if not accounts:
        return []
    sums = account_sums(company_id, None, as_of)
    result = []
    for account in accounts:
        debit, credit = sums.get(account.pk, (ZERO, ZERO))
        result.append(CashAccount(account.pk, account.code, account.name, debit - credit))
    return result


def cash_by_month(
    company_id: int, account_ids: list[int], as_of: dt.date, months: int = MONTHS_OF_CASH
) -> list[tuple[dt.date, Decimal]]:
    """The balance of `account_ids` at the end of each of the `months` months up to
    `as_of`'s month, from the balances per period (one grouped read)."""
    first = month_start(as_of, months - 1)
    starts = [month_start(as_of, back) for back in range(months - 1, -1, -1)]
    if not account_ids:
        return [(start, ZERO) for start in starts]
    rows = (
        AccountBalance.objects.filter(
            company_id=company_id, account_id__in=account_ids, period__start__lte=as_of
        )
        .values("period__start")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    opening = ZERO
    moves: dict[dt.date, Decimal] = {}
    for row in rows:
        start = month_start(row["period__start"])
        if start < first:
            opening += row["d"] - row["c"]
        else:
            moves[start] = moves.get(start, ZERO) + row["d"] - row["c"]
    result, running = [], opening
    for start in starts:
        running += moves.get(start, ZERO)
        result.append((start, running))
    return result


def profit_month(company_id: int, start: dt.date) -> ProfitMonth:
    """Income, expenses and net profit of the calendar month beginning on `start`."""
    end = month_end(start)
    report = profit_and_loss(company_id, start, end)
    return ProfitMonth(
        start=start,
        end=end,
        income=report["total_income"],
        expenses=report["total_expenses"],
        net=report["net_profit"],
    )


def accounting_dashboard(company_id: int, as_of: dt.date) -> Dashboard:
    """Every figure of the accounting dashboard at `as_of` (today, in the view)."""
    currency = Company.objects.filter(pk=company_id).values_list("currency", flat=True).first()
    receivables = ageing(company_id, as_of, "receivable")
    payables = ageing(company_id, as_of, "payable")
    accounts = cash_accounts(company_id, as_of)
    cash_total = sum((a.balance for a in accounts), ZERO)
    by_month = cash_by_month(company_id, [a.account_id for a in accounts], as_of)
    by_month[-1] = (by_month[-1][0], cash_total)  # the month so far: the balance today
    return Dashboard(
        as_of=as_of,
        currency=(currency or "").upper(),
        receivables=receivables,
        payables=payables,
        cash_accounts=accounts,
        cash_total=cash_total,
        cash_by_month=by_month,
        this_month=profit_month(company_id, month_start(as_of)),
        last_month=profit_month(company_id, month_start(as_of, 1)),
        top_overdue=top_overdue(receivables.rows),
    )


__all__ = ["Dashboard", "accounting_dashboard", "cash_by_month", "month_start", "top_overdue"]
