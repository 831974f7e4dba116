"""Landed costs: freight, duty or insurance added to the value of a receipt's goods."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from keel.accounting.fields import MoneyField
from keel.core.models import CompanyScoped

from .transfers import StockMove, Transfer


class LandedCost(CompanyScoped):
    """`amount` spent to land a done receipt, split over its moves by quantity, weight
    or value (largest remainder, to the cent) and added to their valuation layers."""

    class Split(models.TextChoices):
        QUANTITY = "quantity", "By quantity"
        WEIGHT = "weight", "By weight"
        VALUE = "value", "By value"

    receipt = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="landed_costs")
    date = models.DateField()
    amount = MoneyField()
    split_by = models.CharField(max_length=10, choices=Split.choices)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="landedcost_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(split_by__in=["quantity", "weight", "value"]),
                name="landedcost_split_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Landed cost {self.amount} on {self.receipt}"


class LandedCostLine(models.Model):
    """The share of one receipt move: its basis (quantity, weight or value) and amount."""

    landed_cost = models.ForeignKey(LandedCost, on_delete=models.CASCADE, related_name="lines")
    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="+")
    basis = MoneyField()
    amount = MoneyField()

    class Meta:
        ordering = ["landed_cost_id", "id"]

    def __str__(self) -> str:
        return f"{self.amount} on move {self.move_id}"
