"""What stock is worth: valuation layers (one per valued move) and the running
quantity and value of each product, per company."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from keel.accounting.fields import MoneyField
from keel.core.models import Company

from ..fields import QuantityField
from .transfers import StockMove

ZERO = Decimal(0)


class ValuationLayer(models.Model):
    """The value a move brought into the books (positive) or took out (negative).

    Incoming layers keep what is left of them (`remaining_quantity`,
    `remaining_value`); FIFO consumes the oldest first. The sum of `value` over a
    product's layers is what its stock is worth.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    move = models.ForeignKey(
        StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="layers"
    )
    date = models.DateField()
    quantity = QuantityField(help_text="Positive in, negative out; 0 for a landed cost")
    unit_cost = MoneyField(default=0)
    value = MoneyField(help_text="In the company's currency, rounded to the cent")
    remaining_quantity = QuantityField(default=0)
    remaining_value = MoneyField(default=0)
    adds_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="additions",
        help_text="The layer a landed cost was added to",
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["product_id", "date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining_quantity__gte=0), name="valuationlayer_remaining_ge_0"
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "product", "date", "id"],
                condition=Q(remaining_quantity__gt=0),
                name="valuationlayer_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id} = {self.value}"


class ProductCost(models.Model):
    """The quantity valued and its value, per company x product: the lock row of a
    product's valuation (taken after the stock levels) and its average cost."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(default=0)
    value = MoneyField(default=0)

    class Meta:
        ordering = ["company_id", "product_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "product"], name="productcost_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.quantity} worth {self.value}"

    @property
    def average_cost(self) -> Decimal:
        """Value per unit, to 4 decimals (0 with nothing in stock)."""
        if self.quantity <= 0:
            return ZERO
        return (self.value / self.quantity).quantize(Decimal("0.0001"))
