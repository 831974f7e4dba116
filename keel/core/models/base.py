"""The company (tenant) and the abstract bases every domain's records build on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Company(models.Model):
    """One of our companies: the books, the stock and the numbers belong to it."""

    name = models.CharField(max_length=200, unique=True)
    legal_name = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code")
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166-1 alpha-2")
    fiscal_year_start_month = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1)
                & models.Q(fiscal_year_start_month__lte=12),
                name="company_fiscal_month_1_12",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def fiscal_year_of(self, on_date) -> int:
        """The fiscal year a date falls in, named by the calendar year it ends in."""
        if self.fiscal_year_start_month == 1 or on_date.month < self.fiscal_year_start_month:
            return on_date.year
        return on_date.year + 1


class Tracked(models.Model):
    """Who created and last changed a record, and when."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class CompanyScoped(Tracked):
    """A record that belongs to one of our companies."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking: services refuse an edit whose version is stale."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Document(CompanyScoped, Versioned):
    """A business document with a number unique within its company (SO-0042, INV/2026/00001)."""

    number = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        abstract = True
