"""Financial reports from the maintained balances (never a scan of the history).

A date range is split into whole periods, read from `AccountBalance`, and at
most two partial periods at its edges, summed from their own lines (indexed by
company and date). Years are not closed into retained earnings: the balance
sheet shows the profit not yet allocated as its own equity line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from ..models import (
    BALANCE_SHEET_TYPES,
    Account,
    AccountBalance,
    AccountType,
    JournalLine,
    Period,
    Tax,
)

ZERO = Decimal(0)


def account_sums(
    company_id: int, date_from: dt.date | None, date_to: dt.date | None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Σ debit and Σ credit per account of the lines dated within [date_from, date_to]
    (either end open), from balances of whole periods plus lines of partial ones."""
    periods = Period.objects.filter(company_id=company_id)
    if date_from:
        periods = periods.filter(end__gte=date_from)
    if date_to:
        periods = periods.filter(start__lte=date_to)
    whole, partial = [], []
    for period_id, start, end in periods.values_list("id", "start", "end"):
        inside = (date_from is None or start >= date_from) and (date_to is None or end <= date_to)
        (whole if inside else partial).append(period_id)
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    if whole:
        rows = (
            AccountBalance.objects.filter(company_id=company_id, period_id__in=whole)
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        for row in rows:
            sums[row["account_id"]][0] += row["d"]
            sums[row["account_id"]][1] += row["c"]
    if partial:
        lines = JournalLine.objects.filter(company_id=company_id, period_id__in=partial)
        if date_from:
            lines = lines.filter(date__gte=date_from)
        if date_to:
            lines = lines.filter(date__lte=date_to)
        for row in lines.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
            sums[row["account_id"]][0] += row["d"]
            sums[row["account_id"]][1] += row["c"]
    return {account_id: (d, c) for account_id, (d, c) in sums.items()}


def _accounts(company_id: int) -> dict[int, Account]:
    return {a.pk: a for a in Account.objects.filter(company_id=company_id).order_by("code")}


def trial_balance(company_id: int, date_from: dt.date, date_to: dt.date) -> dict:
    """Per account: balance before `date_from`, debits and credits within the range,
    balance at `date_to`. The debit and credit columns add up to the same total."""
    accounts = _accounts(company_id)
    opening = account_sums(company_id, None, date_from - dt.timedelta(days=1))
    moves = account_sums(company_id, date_from, date_to)
    rows = []
    totals = {"opening": ZERO, "debit": ZERO, "credit": ZERO, "closing": ZERO}
    for account_id, account in accounts.items():
        od, oc = opening.get(account_id, (ZERO, ZERO))
        debit, credit = moves.get(account_id, (ZERO, ZERO))
        if not (od or oc or debit or credit):
            continue
        row = {
            "account_id": account_id,
            "code": account.code,
            "name": account.name,
            "type": account.type,
            "opening": od - oc,
            "debit": debit,
            "credit": credit,
            "closing": od - oc + debit - credit,
        }
        rows.append(row)
        for key in totals:
            totals[key] += row[key]
    return {"date_from": date_from, "date_to": date_to, "rows": rows, "totals": totals}


def profit_and_loss(company_id: int, date_from: dt.date, date_to: dt.date) -> dict:
    """Income (credit − debit) and expenses (debit − credit) of the range, and the profit."""
    accounts = _accounts(company_id)
    sums = account_sums(company_id, date_from, date_to)
    sections: dict[str, list] = {AccountType.INCOME: [], AccountType.EXPENSE: []}
    totals = {AccountType.INCOME: ZERO, AccountType.EXPENSE: ZERO}
    for account_id, account in accounts.items():
        if account.type not in sections or account_id not in sums:
            continue
        debit, credit = sums[account_id]
        amount = credit - debit if account.type == AccountType.INCOME else debit - credit
        sections[account.type].append(
            {"account_id": account_id, "code": account.code, "name": account.name, "amount": amount}
        )
        totals[account.type] += amount
    return {
        "date_from": date_from,
        "date_to": date_to,
        "income": sections[AccountType.INCOME],
        "expenses": sections[AccountType.EXPENSE],
        "total_income": totals[AccountType.INCOME],
        "total_expenses": totals[AccountType.EXPENSE],
        "net_profit": totals[AccountType.INCOME] - totals[AccountType.EXPENSE],
    }


def balance_sheet(company_id: int, date_to: dt.date) -> dict:
    """Assets against liabilities and equity at `date_to`; profit not yet allocated
    to retained earnings shows as 'Current earnings'. `balanced` is the check."""
    accounts = _accounts(company_id)
    sums = account_sums(company_id, None, date_to)
    sections: dict[str, list] = {t: [] for t in BALANCE_SHEET_TYPES}
    totals = {t: ZERO for t in BALANCE_SHEET_TYPES}
    earnings = ZERO
    for account_id, (debit, credit) in sums.items():
        account = accounts[account_id]
        if account.type not in sections:
            earnings += credit - debit  # income adds, expenses subtract
            continue
        amount = debit - credit if account.type == AccountType.ASSET else credit - debit
        sections[account.type].append(
            {"account_id": account_id, "code": account.code, "name": account.name, "amount": amount}
        )
        totals[account.type] += amount
    for rows in sections.values():
        rows.sort(key=lambda row: row["code"])
    sections[AccountType.EQUITY].append(
        {"account_id": None, "code": "", "name": "Current earnings", "amount": earnings}
    )
    total_equity = totals[AccountType.EQUITY] + earnings
    liabilities_and_equity = totals[AccountType.LIABILITY] + total_equity
    return {
        "date_to": date_to,
        "assets": sections[AccountType.ASSET],
        "liabilities": sections[AccountType.LIABILITY],
        "equity": sections[AccountType.EQUITY],
        "total_assets": totals[AccountType.ASSET],
        "total_liabilities": totals[AccountType.LIABILITY],
        "total_equity": total_equity,
        "total_liabilities_and_equity": liabilities_and_equity,
        "balanced": totals[AccountType.ASSET] == liabilities_and_equity,
    }


def tax_report(company_id: int, date_from: dt.date, date_to: dt.date) -> dict:
    """Per tax: the base and the tax of the posted tax lines dated in the range, in
    their natural sign (sales taxes collected, purchase taxes deductible), and the
    net tax due (collected − deductible)."""
    rows = (
        JournalLine.objects.filter(
            company_id=company_id, tax__isnull=False, date__gte=date_from, date__lte=date_to
        )
        .values("tax_id")
        .annotate(d=Sum("debit"), c=Sum("credit"), base=Sum("tax_base_amount"), lines=Count("id"))
    )
    taxes = {t.pk: t for t in Tax.objects.filter(company_id=company_id)}
    report, collected, deductible = [], ZERO, ZERO
    for row in rows:
        tax = taxes[row["tax_id"]]
        if tax.use == Tax.Use.SALE:
            base, amount = -row["base"], row["c"] - row["d"]
            collected += amount
        else:
            base, amount = row["base"], row["d"] - row["c"]
            deductible += amount
        report.append(
            {
                "tax_id": tax.pk,
                "name": tax.name,
                "use": tax.use,
                "rate": tax.amount,
                "base": base,
                "amount": amount,
                "lines": row["lines"],
            }
        )
    report.sort(key=lambda r: (r["use"] != Tax.Use.SALE, r["name"]))
    return {
        "date_from": date_from,
        "date_to": date_to,
        "rows": report,
        "collected": collected,
        "deductible": deductible,
        "net_due": collected - deductible,
    }


def tax_report_lines(
    company_id: int, tax_id: int, date_from: dt.date, date_to: dt.date
) -> QuerySet[JournalLine]:
    """The posted lines behind one row of the tax report (the drill-down)."""
    return (
        JournalLine.objects.filter(
            company_id=company_id, tax_id=tax_id, date__gte=date_from, date__lte=date_to
        )
        .select_related("entry", "account", "party", "tax")
        .order_by("date", "entry_id", "sequence")
    )
