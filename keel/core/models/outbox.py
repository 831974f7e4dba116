"""The transactional outbox: events committed with the change that caused them."""

from __future__ import annotations

import uuid

from django.db import models

from .base import Company


class OutboxEvent(models.Model):
    """A published event, written in the publisher's transaction.

    It exists only if that transaction committed, so nothing leaves the
    process (webhooks, e-mail) for a change that was rolled back.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    topic = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["occurred_at"]
        indexes = [
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.id}"
