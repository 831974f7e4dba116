"""Put-away rules: where a product (or a category of products) is stored when it is
received into a warehouse."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped, Versioned

from .locations import Location, Warehouse


class PutawayRule(CompanyScoped, Versioned):
    """Receipts into `warehouse` of `product` (or of any product in `category` or a
    category below it) go to `location`, a location under the warehouse's stock.

    The most specific rule wins: a product rule, then the nearest category's rule,
    then the warehouse's stock location.
    """

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="putaway_rules")
    product = models.ForeignKey(
        "products.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "products.ProductCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Applies to this category and every category below it",
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", help_text="Where it is stored"
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["warehouse_id", "product_id", "category_id"]
        constraints = [
            # A rule is about a product or about a category, never both or neither.
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(category__isnull=True))
                | (Q(product__isnull=True) & Q(category__isnull=False)),
                name="putawayrule_product_xor_category",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "product"],
                condition=Q(product__isnull=False),
                name="putawayrule_unique_product",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "category"],
                condition=Q(category__isnull=False),
                name="putawayrule_unique_category",
            ),
        ]

    def __str__(self) -> str:
        about = f"product {self.product_id}" if self.product_id else f"category {self.category_id}"
        return f"{about} in {self.warehouse_id} -> {self.location_id}"
