"""Replenishment needs: rules whose warehouse will not hold the minimum, and how much
to order to bring it back up to the maximum.

For each active rule, the projected available is the available to promise
(`selectors.atp`) on today + the rule's lead days: what is there, less what is
reserved, plus what arrives and less what leaves by the time an order placed today
would arrive. Below the minimum, the need is maximum - projected available (a
shortage included: -5 projected with a maximum of 40 needs 45).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from ..models import ReplenishmentRule
from .atp import positions_of


@dataclass(frozen=True)
class Need:
    rule: ReplenishmentRule
    on_date: dt.date  # today + lead days: when an order placed today arrives
    projected: Decimal  # available to promise on that date
    quantity: Decimal  # to order: up to the maximum


def rules_of(company_id: int | None) -> QuerySet[ReplenishmentRule]:
    return ReplenishmentRule.objects.filter(company_id=company_id).select_related(
        "product", "warehouse"
    )


def replenishment_needs(company, *, today: dt.date | None = None) -> list[Need]:
    """The active rules of `company` below their minimum, by warehouse and product
    name; three queries whatever the number of rules."""
    today = today or timezone.localdate()
    rules = list(
        rules_of(getattr(company, "pk", company))
        .filter(active=True)
        .order_by("warehouse__code", "product__name", "id")
    )
    if not rules:
        return []
    found = positions_of({r.product_id for r in rules}, {r.warehouse_id for r in rules})
    needs = []
    for rule in rules:
        on_date = today + dt.timedelta(days=rule.lead_days)
        projected = found[(rule.product_id, rule.warehouse_id)].available_on(on_date)
        if projected < rule.minimum:
            needs.append(Need(rule, on_date, projected, rule.maximum - projected))
    return needs
