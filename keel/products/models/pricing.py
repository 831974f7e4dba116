"""Price groups, price lists and their rules (quantity breaks, validity, discounts)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped

from .catalog import Product, ProductCategory


class PriceGroup(CompanyScoped):
    """A group customers are put in for pricing (Wholesale, Resellers, VIP)."""

    name = models.CharField(max_length=120)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="pricegroup_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PriceList(CompanyScoped):
    """A set of price rules in one currency, optionally valid for a period.

    At most one list per company is the default: it prices customers who have
    no list of their own.
    """

    name = models.CharField(max_length=120)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code")
    active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="pricelist_unique_name"),
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="pricelist_one_default"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, on_date) -> bool:
        return (
            self.active
            and (self.valid_from is None or self.valid_from <= on_date)
            and (self.valid_to is None or on_date <= self.valid_to)
        )


class PriceListRule(CompanyScoped):
    """'From `min_quantity`, <product | category | everything> costs <fixed price |
    sale price less discount %>', optionally only for one price group or period."""

    class PriceType(models.TextChoices):
        FIXED = "fixed", "Fixed price"
        DISCOUNT = "discount", "Discount % off the sale price"

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=120, help_text="Shown in price explanations")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        ProductCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Applies to this category and every category below it",
    )
    price_group = models.ForeignKey(
        PriceGroup,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        help_text="Only for customers in this group; empty for everyone",
    )
    min_quantity = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    price_type = models.CharField(
        max_length=10, choices=PriceType.choices, default=PriceType.DISCOUNT
    )
    fixed_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    discount_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="e.g. 10 for 10 %"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["price_list", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=True) | Q(category__isnull=True),
                name="pricelistrule_product_or_category",
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=0), name="pricelistrule_min_quantity_ge_0"
            ),
            models.CheckConstraint(
                condition=(Q(price_type="fixed") & Q(fixed_price__gte=0))
                | (
                    Q(price_type="discount")
                    & Q(discount_percent__gte=0)
                    & Q(discount_percent__lte=100)
                ),
                name="pricelistrule_price_given",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="pricelistrule_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["price_list", "product", "category"])]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        if self.product_id:
            return "product"
        if self.category_id:
            return "category"
        return "all"
