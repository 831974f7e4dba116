"""Put-away rules: create, change or remove one, with its guards."""

from __future__ import annotations

from keel.core.errors import InvalidInput, NotFound, StaleRecord
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.products.models import Product, ProductCategory

from ..errors import DuplicateCode, OutsideWarehouse
from ..models import Location, PutawayRule, Warehouse
from .common import check_location, check_stockable


def _lock(company: Company, rule_id: int) -> PutawayRule:
    rule = PutawayRule.objects.select_for_update().filter(pk=rule_id, company=company).first()
    if rule is None:
        raise NotFound(f"No put-away rule {rule_id}.")
    return rule


@atomic_service
def save_putaway_rule(
    company: Company,
    *,
    warehouse: Warehouse,
    location: Location,
    product: Product | None = None,
    category: ProductCategory | None = None,
    active: bool = True,
    rule_id: int | None = None,
    expected_version: int | None = None,
    by=None,
) -> PutawayRule:
    """Receipts of `product` (or of `category` and below) into `warehouse` go to
    `location` (a new rule, or rule `rule_id` changed). Refused: both or neither of
    product and category, a location outside the warehouse's stock or not holding
    stock, another company's records, a second rule for the same product or category
    in the warehouse, a stale version."""
    if (product is None) == (category is None):
        raise InvalidInput(
            "A put-away rule is for one product or for one category, not both or neither.",
            field="product",
        )
    if warehouse.company_id != company.pk:
        raise InvalidInput(f"{warehouse} belongs to another company.", field="warehouse")
    if product is not None:
        check_stockable(product, company.pk)
    if category is not None and category.company_id != company.pk:
        raise InvalidInput(f"{category} belongs to another company.", field="category")
    check_location(location, company.pk, "location")
    stock = warehouse.stock_location
    if location.pk == stock.pk or not location.path.startswith(stock.path):
        raise OutsideWarehouse(
            f"{location} is not a location under {stock}; a put-away rule of "
            f"{warehouse.code} must store into {stock}'s sub-locations.",
            field="location",
        )
    if location.usage != Location.Usage.INTERNAL:
        raise OutsideWarehouse(f"{location} does not keep stock.", field="location")
    taken = PutawayRule.objects.filter(warehouse=warehouse, product=product, category=category)
    if rule_id is None:
        rule = PutawayRule(company=company, created_by=by)
    else:
        rule = _lock(company, rule_id)
        if expected_version is not None and expected_version != rule.version:
            raise StaleRecord(
                f"The rule was changed by someone else (version {rule.version}, you edited "
                f"version {expected_version}); reload and try again."
            )
        taken = taken.exclude(pk=rule.pk)
        rule.version += 1
    if taken.exists():
        raise DuplicateCode(
            f"{product or category} already has a put-away rule in {warehouse.code}.",
            field="product" if product is not None else "category",
        )
    rule.warehouse, rule.location, rule.product, rule.category = (
        warehouse,
        location,
        product,
        category,
    )
    rule.active, rule.updated_by = active, by
    rule.save()
    return rule


@atomic_service
def remove_putaway_rule(company: Company, rule_id: int, *, by=None) -> None:
    """Receipts no longer follow rule `rule_id`; ones already created keep their bins."""
    _lock(company, rule_id).delete()
