"""Inventory counts: a count sheet of one location, what was expected on it and what
was counted; validating it posts the differences as adjustments."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped

from ..fields import QuantityField
from .locations import Location, Lot
from .transfers import Transfer


class InventoryCount(CompanyScoped):
    """A count of one location on `date`: draft (being counted) -> done (differences
    posted as an adjustment transfer) or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {Status.DRAFT: {Status.DONE, Status.CANCELLED}}

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    adjustment = models.ForeignKey(
        Transfer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The transfer that posted the differences",
    )
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "done", "cancelled"]),
                name="inventorycount_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Count of {self.location} on {self.date}"


class CountLine(models.Model):
    """One product (and lot) of a count: on hand when the count started, and counted."""

    count = models.ForeignKey(InventoryCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expected = QuantityField(default=0, help_text="On hand when the count started")
    counted = QuantityField(null=True, blank=True, help_text="Empty until counted")

    class Meta:
        ordering = ["count_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="countline_counted_ge_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.lot_id or '-'}: {self.expected} -> {self.counted}"

    @property
    def difference(self):
        return None if self.counted is None else self.counted - self.expected
