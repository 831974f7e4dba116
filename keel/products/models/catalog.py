"""The catalogue: a category tree and the products in it."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped, Versioned

from .uom import Uom


class ProductCategory(CompanyScoped):
    """A node of the company's category tree (Hardware / Fasteners / Screws).

    `path` is the materialised chain of ids from the root ("/1/4/9/"), kept by
    the category service, so ancestors and subtrees cost no extra query.
    """

    class CostingMethod(models.TextChoices):
        AVERAGE = "average", "Average cost (weighted, perpetual)"
        FIFO = "fifo", "First in, first out"

    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    costing_method = models.CharField(
        max_length=10,
        choices=CostingMethod.choices,
        default=CostingMethod.AVERAGE,
        help_text="How stock of its products is valued when it leaves",
    )
    path = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    full_name = models.CharField(max_length=500, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "product categories"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "parent", "name"], name="productcategory_unique_name"
            ),
            models.UniqueConstraint(
                fields=["company", "name"],
                condition=models.Q(parent__isnull=True),
                name="productcategory_unique_root_name",
            ),
            models.CheckConstraint(
                condition=models.Q(costing_method__in=["average", "fifo"]),
                name="productcategory_costing_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from this category up to the root, nearest first (itself included)."""
        return [int(part) for part in reversed(self.path.strip("/").split("/")) if part]


class Product(CompanyScoped, Versioned):
    """Something we sell, buy, stock or bill; priced in the company's currency."""

    class Kind(models.TextChoices):
        GOODS = "goods", "Stocked goods"
        CONSUMABLE = "consumable", "Consumable"
        SERVICE = "service", "Service"

    class Tracking(models.TextChoices):
        NONE = "none", "Not tracked"
        LOT = "lot", "By lot"
        SERIAL = "serial", "By serial number"

    class SupplyRoute(models.TextChoices):
        STOCK = "stock", "From stock"
        BUY_TO_ORDER = "buy_to_order", "Bought on order"
        DROP_SHIP = "drop_ship", "Drop-shipped by the vendor"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GOODS)
    name = models.CharField(max_length=200)
    sku = models.CharField(
        "internal reference", max_length=64, help_text="SKU, unique within the company"
    )
    barcode = models.CharField(
        max_length=64, blank=True, help_text="EAN/UPC or any scanned code; unique when set"
    )
    category = models.ForeignKey(
        ProductCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    uom = models.ForeignKey(
        Uom, on_delete=models.PROTECT, related_name="+", verbose_name="unit of measure"
    )
    sale_price = models.DecimalField(
        max_digits=18, decimal_places=4, default=Decimal("0"), help_text="List price"
    )
    cost_price = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))
    active = models.BooleanField(default=True)
    tracking = models.CharField(
        max_length=10,
        choices=Tracking.choices,
        default=Tracking.NONE,
        help_text="Whether stock of it is kept by lot or serial number",
    )
    supply_route = models.CharField(
        max_length=20,
        choices=SupplyRoute.choices,
        default=SupplyRoute.STOCK,
        help_text="Sold from stock, or bought from the preferred vendor for each order "
        "(delivered through the warehouse, or drop-shipped to the customer)",
    )
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="product_unique_sku"),
            models.UniqueConstraint(
                fields=["company", "barcode"],
                condition=~models.Q(barcode=""),
                name="product_unique_barcode",
            ),
            models.CheckConstraint(
                condition=models.Q(sale_price__gte=0), name="product_sale_price_ge_0"
            ),
            models.CheckConstraint(
                condition=models.Q(cost_price__gte=0), name="product_cost_price_ge_0"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["goods", "consumable", "service"]),
                name="product_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(tracking__in=["none", "lot", "serial"]),
                name="product_tracking_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(supply_route__in=["stock", "buy_to_order", "drop_ship"]),
                name="product_supply_route_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.sku}] {self.name}"
