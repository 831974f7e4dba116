"""Approvals: rules say when a document needs a role's consent; requests record it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from .base import CompanyScoped


class ApprovalRule(CompanyScoped):
    """'A <document type> whose <amount> is above X needs approval by <role>'."""

    name = models.CharField(max_length=120)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, help_text="Document type the rule applies to"
    )
    action = models.CharField(
        max_length=40, default="confirm", help_text="The verb that needs approval, e.g. confirm"
    )
    min_amount = models.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("0"), help_text="Applies above this"
    )
    approver_role = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["content_type", "action", "min_amount"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_amount__gte=0), name="approvalrule_min_amount_ge_0"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalRequest(CompanyScoped):
    """A document waiting for (or given) a role's approval."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.CANCELLED},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
        Status.CANCELLED: set(),
    }

    rule = models.ForeignKey(ApprovalRule, on_delete=models.PROTECT, related_name="requests")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    document = GenericForeignKey("content_type", "object_id")
    document_label = models.CharField(max_length=200)
    action = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    reason = models.CharField(max_length=500, blank=True, help_text="Why approval is asked")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("decide_approvalrequest", "Can approve or reject approval requests"),
            ("view_all_approvalrequests", "Can see every approval request"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id", "action"])]
        constraints = [
            # One open request per document and verb: a double click asks once.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "action"],
                condition=models.Q(status="pending"),
                name="approvalrequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_label} – {self.action} ({self.get_status_display()})"
