"""Put-away: where received products are stored, from the warehouse's rules."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from keel.products.models import Product, ProductCategory

from ..models import Location, PutawayRule, Warehouse


def putaway_rules_of(company_id: int | None) -> QuerySet[PutawayRule]:
    return PutawayRule.objects.filter(company_id=company_id).select_related(
        "warehouse", "product", "category", "location"
    )


def putaway_locations(warehouse: Warehouse, products: list[Product]) -> dict[int, Location]:
    """Where each product received into `warehouse` goes: its product rule, else the
    rule of its nearest category (itself, then up the tree), else the warehouse's
    stock location. Two queries whatever the number of products."""
    default = warehouse.stock_location
    category_ids = {p.category_id for p in products if p.category_id}
    paths = dict(ProductCategory.objects.filter(pk__in=category_ids).values_list("pk", "path"))
    # Ancestors nearest first, from the materialised path ("/1/4/9/" -> 9, 4, 1).
    chains = {
        pk: [int(part) for part in reversed(path.strip("/").split("/")) if part] or [pk]
        for pk, path in paths.items()
    }
    wanted_categories = {ancestor for chain in chains.values() for ancestor in chain}
    rules = (
        PutawayRule.objects.filter(warehouse=warehouse, active=True)
        .filter(Q(product_id__in={p.pk for p in products}) | Q(category_id__in=wanted_categories))
        .select_related("location")
    )
    by_product, by_category = {}, {}
    for rule in rules:
        if rule.product_id:
            by_product[rule.product_id] = rule.location
        else:
            by_category[rule.category_id] = rule.location
    found = {}
    for product in products:
        chain = chains.get(product.category_id, [])
        by_nearest_category = next((by_category[c] for c in chain if c in by_category), None)
        found[product.pk] = by_product.get(product.pk) or by_nearest_category or default
    return found
