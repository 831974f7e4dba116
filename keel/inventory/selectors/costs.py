"""What a unit of a product costs the company today: its average cost while some is
valued in stock, its standard cost (the product's cost price) otherwise; the same rule
the valuation uses for what leaves the warehouse."""

from __future__ import annotations

from decimal import Decimal

from keel.products.models import Product

from ..models import ProductCost


def unit_costs(company_id: int, product_ids: list[int]) -> dict[int, Decimal]:
    """{product id: unit cost} for `product_ids` (two queries, whatever their number)."""
    averages = {
        cost.product_id: cost.average_cost
        for cost in ProductCost.objects.filter(company_id=company_id, product_id__in=product_ids)
    }
    standard = dict(
        Product.objects.filter(company_id=company_id, pk__in=product_ids).values_list(
            "pk", "cost_price"
        )
    )
    return {pk: averages.get(pk) or standard[pk] for pk in standard}
