"""Replenishment rules: create or change one, with its guards."""

from __future__ import annotations

from keel.core.errors import InvalidInput, NotFound, StaleRecord
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.products.models import Product

from ..errors import DuplicateCode
from ..models import ReplenishmentRule, Warehouse
from .common import check_stockable, quantity_of


@atomic_service
def save_rule(
    company: Company,
    *,
    product: Product,
    warehouse: Warehouse,
    minimum,
    maximum,
    lead_days: int = 0,
    active: bool = True,
    rule_id: int | None = None,
    expected_version: int | None = None,
    by=None,
) -> ReplenishmentRule:
    """Keep `product` between `minimum` and `maximum` in `warehouse` (a new rule, or
    rule `rule_id` changed). Refused: minimum above maximum, a negative or over-precise
    quantity, negative lead days, a product that keeps no stock, another company's
    warehouse, a second rule for the same product and warehouse, a stale version."""
    check_stockable(product, company.pk)
    if warehouse.company_id != company.pk:
        raise InvalidInput(f"{warehouse} belongs to another company.", field="warehouse")
    minimum = quantity_of(minimum, field="minimum", allow_zero=True)
    maximum = quantity_of(maximum, field="maximum", allow_zero=True)
    if minimum > maximum:
        raise InvalidInput(
            f"The minimum ({minimum}) must not exceed the maximum ({maximum}).", field="minimum"
        )
    if not isinstance(lead_days, int) or lead_days < 0:
        raise InvalidInput("Lead days are a whole number of days, 0 or more.", field="lead_days")
    taken = ReplenishmentRule.objects.filter(product=product, warehouse=warehouse)
    if rule_id is None:
        rule = ReplenishmentRule(company=company, product=product, warehouse=warehouse)
        rule.created_by = by
    else:
        rule = (
            ReplenishmentRule.objects.select_for_update()
            .filter(pk=rule_id, company=company)
            .first()
        )
        if rule is None:
            raise NotFound(f"No replenishment rule {rule_id}.")
        if expected_version is not None and expected_version != rule.version:
            raise StaleRecord(
                f"The rule was changed by someone else (version {rule.version}, you edited "
                f"version {expected_version}); reload and try again."
            )
        taken = taken.exclude(pk=rule.pk)
        rule.version += 1
    if taken.exists():
        raise DuplicateCode(
            f"{product} already has a replenishment rule in {warehouse.code}.", field="product"
        )
    rule.product, rule.warehouse = product, warehouse
    rule.minimum, rule.maximum, rule.lead_days, rule.active = minimum, maximum, lead_days, active
    rule.updated_by = by
    rule.save()
    return rule
