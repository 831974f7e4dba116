"""Replenishment rules: keep a product between a minimum and a maximum in a warehouse."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped, Versioned

from ..fields import QuantityField
from .locations import Warehouse


class ReplenishmentRule(CompanyScoped, Versioned):
    """Order more of `product` for `warehouse` when what it can promise `lead_days`
    ahead falls below `minimum`: as much as brings it back up to `maximum`."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="replenishment_rules"
    )
    minimum = QuantityField(help_text="Order when the projected available falls below this")
    maximum = QuantityField(help_text="Order up to this")
    lead_days = models.PositiveIntegerField(
        default=0, help_text="Days an order takes to arrive: the horizon looked at"
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["warehouse_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="replenishmentrule_unique_product"
            ),
            models.CheckConstraint(
                condition=Q(minimum__gte=0) & Q(maximum__gte=F("minimum")),
                name="replenishmentrule_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.minimum}-{self.maximum}"
