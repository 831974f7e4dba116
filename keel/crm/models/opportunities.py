"""Pipelines with ordered stages, and the opportunities that move through them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped, Versioned


class Pipeline(CompanyScoped):
    """A sales team's sequence of stages."""

    name = models.CharField(max_length=120)
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="pipeline_unique")]

    def __str__(self) -> str:
        return self.name


class StageManager(models.Manager):
    def get_queryset(self):
        # A stage is named with its pipeline ("New business: Propose"); fetch both at once.
        return super().get_queryset().select_related("pipeline")


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=80)
    sequence = models.PositiveIntegerField()
    probability = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Chance of winning, in percent"
    )

    objects = StageManager()

    class Meta:
        ordering = ["pipeline", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "sequence"], name="stage_sequence_unique"),
            models.CheckConstraint(
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=100),
                name="stage_probability_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline}: {self.name}"


class Opportunity(CompanyScoped, Versioned):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    TRANSITIONS = {
        Status.OPEN: {Status.WON, Status.LOST},
        Status.WON: set(),
        Status.LOST: {Status.OPEN},
    }

    name = models.CharField(max_length=200)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="opportunities"
    )
    contact = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead = models.ForeignKey(
        "crm.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="opportunities"
    )
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="opportunities")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    expected_close = models.DateField(null=True, blank=True, db_index=True)
    next_step = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_opportunities",
    )
    competitors = models.CharField(max_length=300, blank=True)
    lost_reason = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"
        # Sales Managers, Marketing and Auditors see every rep's opportunities; reps their own.
        permissions = [("view_all_opportunities", "Can see every rep's opportunities")]
        indexes = [
            models.Index(fields=["company", "pipeline", "status", "stage"]),
            models.Index(fields=["company", "owner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="opportunity_amount_ge_0"
            )
        ]

    def __str__(self) -> str:
        return self.name
