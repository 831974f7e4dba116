"""Units of measure: a category (Weight) holds units with a ratio to its reference unit."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import Tracked


class UomCategory(Tracked):
    """A kind of quantity (Unit, Weight, Length, Time); units convert only within one.

    Shared by every company of the installation, like the units themselves.
    """

    name = models.CharField(max_length=60, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "UoM category"
        verbose_name_plural = "UoM categories"

    def __str__(self) -> str:
        return self.name


class Uom(Tracked):
    """A unit: one of it is `ratio` reference units of its category (1 g = 0.001 kg).

    Quantities expressed in it are rounded to a multiple of `rounding` (0.01 kg, 1 Unit).
    """

    category = models.ForeignKey(UomCategory, on_delete=models.PROTECT, related_name="uoms")
    name = models.CharField(max_length=60)
    symbol = models.CharField(max_length=12, blank=True, help_text="Short label, e.g. kg")
    ratio = models.DecimalField(
        max_digits=24,
        decimal_places=12,
        default=Decimal("1"),
        help_text="How many reference units one of this unit is (Dozen = 12 Units).",
    )
    rounding = models.DecimalField(
        max_digits=18,
        decimal_places=9,
        default=Decimal("0.01"),
        help_text="Quantities in this unit are rounded to a multiple of this.",
    )
    is_reference = models.BooleanField(
        default=False, help_text="The unit every ratio of the category is relative to."
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__name", "-is_reference", "ratio", "name"]
        verbose_name = "unit of measure"
        verbose_name_plural = "units of measure"
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="uom_unique_name"),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(is_reference=True),
                name="uom_one_reference_per_category",
            ),
            models.CheckConstraint(condition=models.Q(ratio__gt=0), name="uom_ratio_gt_0"),
            models.CheckConstraint(condition=models.Q(rounding__gt=0), name="uom_rounding_gt_0"),
            models.CheckConstraint(
                condition=models.Q(is_reference=False) | models.Q(ratio=1),
                name="uom_reference_ratio_is_1",
            ),
        ]

    def __str__(self) -> str:
        return self.symbol or self.name
