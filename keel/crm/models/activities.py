"""Activities (calls, e-mails, meetings, tasks) and sales targets."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from keel.core.models import CompanyScoped


class Activity(CompanyScoped):
    """Something done or to do about a party, lead or opportunity."""

    class Kind(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "E-mail"
        MEETING = "meeting", "Meeting"
        TASK = "task", "Task"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TASK)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=300, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="crm_activities"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    about = GenericForeignKey("content_type", "object_id")
    reminder_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name_plural = "activities"
        # Sales Managers and Auditors see everyone's activities; others their own.
        permissions = [("view_all_activities", "Can see everyone's activities")]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["assignee", "done_at", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class SalesTarget(CompanyScoped):
    """What a rep should win in a period."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        ordering = ["-period_start", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start"], name="salestarget_unique"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="salestarget_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.amount} {self.currency} from {self.period_start}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret URL that serves a user's activities as an iCalendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crm_calendar"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar of {self.user}"
