"""Where stock is: warehouses, their location trees, the company's virtual locations,
and the lots and serial numbers it is kept by."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped


class Location(CompanyScoped):
    """A place stock is in or comes from: a bin, a shelf, a warehouse's stock, or a
    virtual place (suppliers, customers, inventory loss, production, transit).

    `path` is the chain of ids from the root ("/3/7/"), `full_name` the chain of
    names ("WH/Stock/Shelf 1"); both are kept by the location service.
    """

    class Usage(models.TextChoices):
        VIEW = "view", "View (groups locations, holds no stock)"
        INTERNAL = "internal", "Internal"
        SUPPLIER = "supplier", "Supplier"
        CUSTOMER = "customer", "Customer"
        INVENTORY_LOSS = "inventory_loss", "Inventory loss"
        PRODUCTION = "production", "Production"
        TRANSIT = "transit", "Transit"

    # Usages whose stock Keel counts (the others are the far side of a move).
    STOCK_KEEPING = (Usage.INTERNAL, Usage.TRANSIT)

    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locations",
    )
    usage = models.CharField(max_length=20, choices=Usage.choices, default=Usage.INTERNAL)
    allow_negative = models.BooleanField(
        default=False, help_text="Stock here may go below zero (e.g. a production floor)"
    )
    active = models.BooleanField(default=True)
    path = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    full_name = models.CharField(max_length=500, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "full_name"], name="location_unique_full_name"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    usage__in=[
                        "view",
                        "internal",
                        "supplier",
                        "customer",
                        "inventory_loss",
                        "production",
                        "transit",
                    ]
                ),
                name="location_usage_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def keeps_stock(self) -> bool:
        return self.usage in self.STOCK_KEEPING


class Warehouse(CompanyScoped):
    """A building with its own location tree (CODE/Stock …) and number series."""

    code = models.CharField(max_length=10, help_text="Short code, e.g. WH; prefixes numbers")
    name = models.CharField(max_length=120)
    view_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stock_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="warehouse_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Lot(CompanyScoped):
    """A lot or serial number of one product; a serial is one unit, in one place."""

    class Kind(models.TextChoices):
        LOT = "lot", "Lot"
        SERIAL = "serial", "Serial number"

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LOT)
    expiry_date = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField(
        default=timezone.now, help_text="First receipt; FIFO takes the oldest first"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="lot_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["lot", "serial"]), name="lot_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name
