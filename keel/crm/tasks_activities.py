"""Background work of CRM activities: e-mail reminders when their time has come."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .services.activities import send_due_reminders

# How often the worker looks for due reminders (when the backend can defer tasks).
REMINDER_INTERVAL = timedelta(minutes=5)


@task()
def send_activity_reminders(reschedule: bool = False) -> int:
    """Send every due reminder; with `reschedule`, queue the next run (a self-renewing
    timer on backends that can defer, such as `keel worker`)."""
    sent = send_due_reminders(timezone.now())
    if reschedule and send_activity_reminders.get_backend().supports_defer:
        send_activity_reminders.using(run_after=timezone.now() + REMINDER_INTERVAL).enqueue(
            reschedule=True
        )
    return sent
