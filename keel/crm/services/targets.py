"""Sales targets: what each rep should win per period (set by sales managers)."""

from __future__ import annotations

from keel.core.errors import InvalidInput
from keel.core.money import round_money
from keel.core.transactions import atomic_service

from ..models import SalesTarget


def _check(target: SalesTarget) -> None:
    if target.period_end < target.period_start:
        raise InvalidInput("A period ends after it starts.", field="period_end")
    if target.amount < 0:
        raise InvalidInput("A target cannot be negative.", field="amount")
    clash = SalesTarget.objects.filter(user=target.user, period_start=target.period_start)
    if clash.exclude(pk=target.pk).exists():
        raise InvalidInput(
            f"{target.user} already has a target from {target.period_start}.",
            field="period_start",
        )
    target.amount = round_money(target.amount, target.currency)


@atomic_service
def set_target(*, company, user, period_start, period_end, amount, by=None, **fields):
    target = SalesTarget(
        company=company,
        user=user,
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        currency=fields.pop("currency", company.currency),
        created_by=by,
        updated_by=by,
    )
    _check(target)
    target.save()
    return target


@atomic_service
def update_target(target_id: int, *, by=None, **changes) -> SalesTarget:
    target = SalesTarget.objects.select_for_update().get(pk=target_id)
    for name, value in changes.items():
        setattr(target, name, value)
    _check(target)
    target.updated_by = by
    target.save()
    return target


@atomic_service
def delete_target(target_id: int) -> None:
    SalesTarget.objects.filter(pk=target_id).delete()
