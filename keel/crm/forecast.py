"""Forecast and sales reports: weighted pipeline, won against target, win rate, cycle
time, the lead → opportunity → won funnel. Reads only.

Sums are taken in Python over Decimal values (one query per report), so they are
exact to the cent on SQLite, whose SUM() adds floats. Reports are in the
company's currency; opportunities in other currencies are left out and counted
in `other_currency`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from keel.core.money import round_money

from .models import Lead, Opportunity, SalesTarget

ZERO = Decimal("0")


@dataclass(frozen=True)
class PipelineRow:
    key: str  # "2026-03", an owner id, a pipeline id; "" for no expected close date
    label: str
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class TargetRow:
    user_id: int
    name: str
    target: Decimal
    won: Decimal

    @property
    def attainment(self) -> Decimal | None:
        """Won as a percentage of target, one decimal; None without a target."""
        if not self.target:
            return None
        return (self.won * 100 / self.target).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class FunnelStep:
    name: str
    count: int


def _person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the current time zone."""
    tz = timezone.get_current_timezone()
    after_end = date.fromordinal(end.toordinal() + 1)
    return datetime.combine(start, time.min, tz), datetime.combine(after_end, time.min, tz)


def _open(company, owner_id: int | None):
    qs = Opportunity.objects.filter(company=company, status=Opportunity.Status.OPEN)
    return qs.filter(owner_id=owner_id) if owner_id else qs


def weighted_pipeline(
    company, *, by: str = "month", owner_id: int | None = None
) -> list[PipelineRow]:
    """Open opportunities' amount and weighted amount (amount × stage probability)
    grouped by expected close month ("month"), by owner ("owner") or by pipeline."""
    if by not in {"month", "owner", "pipeline"}:
        raise ValueError(f"unknown grouping {by!r}")
    rows = (
        _open(company, owner_id)
        .filter(currency=company.currency)
        .values_list(
            "amount",
            "stage__probability",
            "expected_close",
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "pipeline_id",
            "pipeline__name",
        )
    )
    groups: dict[str, list] = {}
    for amount, probability, close, owner, first, last, uname, pipeline, pname in rows:
        if by == "month":
            key = f"{close:%Y-%m}" if close else ""
            label = key or "No close date"
        elif by == "owner":
            key, label = str(owner), _person(first, last, uname)
        else:
            key, label = str(pipeline), pname
        group = groups.setdefault(key, [label, 0, ZERO, ZERO])
        group[1] += 1
        group[2] += amount
        group[3] += amount * probability / 100
    cur = company.currency
    result = [
        PipelineRow(key, label, count, round_money(amount, cur), round_money(weighted, cur))
        for key, (label, count, amount, weighted) in groups.items()
    ]
    if by == "month":  # chronological, undated last
        return sorted(result, key=lambda r: (r.key == "", r.key))
    return sorted(result, key=lambda r: (-r.weighted, r.label))


def pipeline_totals(company, *, owner_id: int | None = None) -> dict[str, Decimal | int]:
    rows = weighted_pipeline(company, by="pipeline", owner_id=owner_id)
    other = _open(company, owner_id).exclude(currency=company.currency).count()
    return {
        "count": sum(r.count for r in rows),
        "amount": sum((r.amount for r in rows), ZERO),
        "weighted": sum((r.weighted for r in rows), ZERO),
        "other_currency": other,
    }


def won_vs_target(
    company, start: date, end: date, *, owner_id: int | None = None
) -> list[TargetRow]:
    """Per rep: the targets whose period starts within [start, end] against what they
    won (closed as won within the same dates)."""
    lo, hi = _bounds(start, end)
    targets: dict[int, Decimal] = defaultdict(lambda: ZERO)
    names: dict[int, str] = {}
    target_rows = SalesTarget.objects.filter(
        company=company, period_start__gte=start, period_start__lte=end, currency=company.currency
    )
    won_rows = Opportunity.objects.filter(
        company=company,
        status=Opportunity.Status.WON,
        closed_at__gte=lo,
        closed_at__lt=hi,
        currency=company.currency,
    )
    if owner_id:
        target_rows = target_rows.filter(user_id=owner_id)
        won_rows = won_rows.filter(owner_id=owner_id)
    for user_id, amount, first, last, uname in target_rows.values_list(
        "user_id", "amount", "user__first_name", "user__last_name", "user__username"
    ):
        targets[user_id] += amount
        names[user_id] = _person(first, last, uname)
    won: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for user_id, amount, first, last, uname in won_rows.values_list(
        "owner_id", "amount", "owner__first_name", "owner__last_name", "owner__username"
    ):
        won[user_id] += amount
        names[user_id] = _person(first, last, uname)
    return sorted(
        (TargetRow(uid, names[uid], targets[uid], won[uid]) for uid in names),
        key=lambda r: r.name,
    )


def _closed(company, start: date, end: date, owner_id: int | None):
    lo, hi = _bounds(start, end)
    qs = Opportunity.objects.filter(
        company=company,
        status__in=[Opportunity.Status.WON, Opportunity.Status.LOST],
        closed_at__gte=lo,
        closed_at__lt=hi,
    )
    return qs.filter(owner_id=owner_id) if owner_id else qs


def win_rate(company, start: date, end: date, *, owner_id: int | None = None) -> Decimal | None:
    """Won ÷ (won + lost) among deals closed within the dates, in percent (one decimal)."""
    statuses = list(_closed(company, start, end, owner_id).values_list("status", flat=True))
    if not statuses:
        return None
    won = statuses.count(Opportunity.Status.WON)
    return (Decimal(won) * 100 / len(statuses)).quantize(Decimal("0.1"))


def average_cycle_days(
    company, start: date, end: date, *, owner_id: int | None = None
) -> Decimal | None:
    """Mean days from opening to winning, for deals won within the dates (one decimal)."""
    spans = list(
        _closed(company, start, end, owner_id)
        .filter(status=Opportunity.Status.WON)
        .values_list("created_at", "closed_at")
    )
    if not spans:
        return None
    seconds = sum((closed - created).total_seconds() for created, closed in spans)
    return (Decimal(str(seconds)) / 86400 / len(spans)).quantize(Decimal("0.1"))


def funnel(company, start: date, end: date, *, owner_id: int | None = None) -> list[FunnelStep]:
    """Leads created within the dates, how many were converted, the opportunities
    opened within the dates and how many of those were won."""
    lo, hi = _bounds(start, end)
    leads = Lead.objects.filter(company=company, created_at__gte=lo, created_at__lt=hi)
    opportunities = Opportunity.objects.filter(
        company=company, created_at__gte=lo, created_at__lt=hi
    )
    if owner_id:
        leads = leads.filter(owner_id=owner_id)
        opportunities = opportunities.filter(owner_id=owner_id)
    by_status = dict(leads_by_status(leads))
    opened = list(opportunities.values_list("status", flat=True))
    return [
        FunnelStep("Leads", sum(by_status.values())),
        FunnelStep("Converted leads", by_status.get(Lead.Status.CONVERTED, 0)),
        FunnelStep("Opportunities", len(opened)),
        FunnelStep("Won", opened.count(Opportunity.Status.WON)),
    ]


def leads_by_status(leads) -> list[tuple[str, int]]:
    from django.db.models import Count

    rows = leads.order_by().values_list("status").annotate(n=Count("id"))
    return sorted((status, n) for status, n in rows)
