"""Taxes (percentage or fixed, price-included or not) and tax groups."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped

from .chart import AccountRole


class Tax(CompanyScoped):
    """A tax on sales or purchases; its amount is booked to the account of `account_role`."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage of the price"
        FIXED = "fixed", "Fixed amount per unit"

    class Use(models.TextChoices):
        SALE = "sale", "Sales"
        PURCHASE = "purchase", "Purchases"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    use = models.CharField(max_length=10, choices=Use.choices, default=Use.SALE)
    amount = models.DecimalField(
        max_digits=12, decimal_places=4, help_text="Percent (20 = 20%) or the fixed amount"
    )
    price_include = models.BooleanField(default=False, help_text="Prices already include it")
    account_role = models.CharField(
        max_length=40,
        choices=AccountRole.choices,
        default=AccountRole.TAX_PAYABLE,
        help_text="Where its amount is booked (tax payable on sales, receivable on purchases)",
    )
    sequence = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sequence", "name"]
        verbose_name_plural = "taxes"
        constraints = [
            models.UniqueConstraint(fields=["company", "name", "use"], name="tax_unique_name"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=Decimal(0)), name="tax_amount_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaxGroup(CompanyScoped):
    """Taxes applied together (e.g. a federal and a state tax)."""

    name = models.CharField(max_length=100)
    taxes = models.ManyToManyField(Tax, related_name="groups")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="taxgroup_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
