"""What a vendor charges for a product: quantity breaks, validity, lead time, minimum."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from keel.accounting.fields import MoneyField
from keel.core.models import CompanyScoped
from keel.inventory.fields import QuantityField


class VendorPrice(CompanyScoped):
    """`vendor` sells `product` at `price` (in `currency`) per unit from `min_quantity`
    units on, between `valid_from` and `valid_to`; it delivers `lead_days` after the
    order and takes no order below `minimum_order_quantity`. Several rows of one
    vendor and product with rising `min_quantity` are its quantity breaks."""

    vendor = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code")
    price = MoneyField(help_text="Per unit of the product")
    min_quantity = QuantityField(default=0, help_text="Quantity break: applies from this on")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    lead_days = models.PositiveIntegerField(default=0, help_text="Days from order to delivery")
    minimum_order_quantity = QuantityField(default=0, help_text="The vendor takes no less")
    preferred = models.BooleanField(default=False, help_text="Reorders go to this vendor")
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "vendor_id", "min_quantity"]
        indexes = [models.Index(fields=["company", "product", "vendor"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0)
                & Q(min_quantity__gte=0)
                & Q(minimum_order_quantity__gte=0),
                name="vendorprice_amounts_ge_0",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="vendorprice_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price} {self.currency} from {self.min_quantity} ({self.vendor_id})"
