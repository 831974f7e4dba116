"""Global search: products by name, SKU or barcode."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from keel.core.search import SearchHit

from .selectors import company_id_of, products_of


def products(user, term: str, limit: int) -> list[SearchHit]:
    if not user.has_perm("products.view_product"):
        return []
    matches = (
        products_of(company_id_of(user))
        .filter(Q(name__icontains=term) | Q(sku__icontains=term) | Q(barcode=term))
        .order_by("name", "id")[:limit]
    )
    return [
        SearchHit(
            title=f"[{product.sku}] {product.name}",
            description=f"{product.get_kind_display()} · {product.category or 'No category'}",
            link=reverse("admin:products_product_change", args=[product.pk]),
            icon="inventory_2",
        )
        for product in matches
    ]
