"""Idempotency keys: a replayed POST with the same key has exactly one effect."""

from __future__ import annotations

from django.db import models


class IdempotentRequest(models.Model):
    """The first request made with a key, and the answer it got (replayed to repeats)."""

    key = models.CharField(max_length=255)
    caller = models.CharField(max_length=100, help_text="user id, or a hash of the credentials")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status_code = models.PositiveIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotentrequest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
