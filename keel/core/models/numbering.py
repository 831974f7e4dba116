"""Number series: one lock row per company × key × fiscal year."""

from __future__ import annotations

from django.db import models

from .base import Company


class Sequence(models.Model):
    """The next legal number of a series; locked with SELECT ... FOR UPDATE when drawn.

    Drawing happens inside the caller's transaction, so a rolled-back document
    gives its number back and the series stays gapless.
    """

    NOT_YEARLY = 0  # the `fiscal_year` of a series that never restarts (WH/IN/00001)

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=40, help_text="e.g. 'sales.invoice' or a journal code")
    fiscal_year = models.PositiveIntegerField()
    prefix = models.CharField(max_length=20, blank=True)
    padding = models.PositiveSmallIntegerField(default=5)
    next_value = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "key", "fiscal_year"], name="sequence_unique_series"
            ),
            models.CheckConstraint(
                condition=models.Q(next_value__gte=1), name="sequence_next_ge_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.fiscal_year} (next {self.next_value})"

    @property
    def head(self) -> str:
        """What every number of the series starts with: 'INV/2026/' or 'WH/IN/'."""
        if self.fiscal_year == self.NOT_YEARLY:
            return self.prefix
        return f"{self.prefix}{self.fiscal_year}/"

    def format(self, value: int) -> str:
        return f"{self.head}{value:0{self.padding}d}"
