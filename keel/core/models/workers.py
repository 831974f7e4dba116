"""Which `keel worker` processes are alive: each one says so every few seconds."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life. A worker silent for KEEL_WORKER_LOST_SECONDS
    is gone (killed, or its machine died): the tasks it was running are recovered."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname} (pid {self.pid})"
