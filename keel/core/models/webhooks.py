"""Webhooks: subscriptions, one delivery per event × subscription, and its attempt log."""

from __future__ import annotations

import secrets

from django.db import models
from simple_history.models import HistoricalRecords

from .base import CompanyScoped
from .outbox import OutboxEvent


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookSubscription(CompanyScoped):
    """An external URL that wants to hear about some event topics, signed with a secret."""

    name = models.CharField(max_length=120)
    target_url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, default=new_secret)
    event_types = models.JSONField(
        default=list,
        blank=True,
        help_text='Topics to send, e.g. ["core.approval.decided"]; ["*"] for all',
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, topic: str) -> bool:
        return "*" in self.event_types or topic in self.event_types


class WebhookDelivery(models.Model):
    """One event sent to one subscription; unique, so an event is never queued twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="webhookdelivery_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.topic} → {self.subscription}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: what the receiver answered, or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_body = models.CharField(max_length=1000, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhookattempt_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"
