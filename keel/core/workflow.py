"""`transition()`: the only writer of a record's `status`."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .errors import TransitionNotAllowed
from .models import StatusChange


def allowed_transitions(record: models.Model) -> list[str]:
    """The statuses `record` may move to next (the UI shows buttons for these only)."""
    return sorted(record.TRANSITIONS.get(record.status, set()))  # type: ignore[attr-defined]


def transition(record: models.Model, to_status: str, *, by=None, note: str = "", at=None) -> None:
    """Move `record` to `to_status` if its TRANSITIONS table allows it, and log who and when.

    The caller has locked the row. Refuses with TransitionNotAllowed (409)
    and changes nothing otherwise.
    """
    from_status = record.status  # type: ignore[attr-defined]
    table = record.TRANSITIONS  # type: ignore[attr-defined]
    if to_status not in table.get(from_status, set()):
        label = record._meta.verbose_name
        raise TransitionNotAllowed(
            f"A {label} that is {from_status} cannot become {to_status}.", field="status"
        )
    at = at or timezone.now()
    with transaction.atomic():
        record.status = to_status  # type: ignore[attr-defined]
        update_fields = ["status"]
        if hasattr(record, "version"):
            record.version += 1  # type: ignore[attr-defined]
            update_fields.append("version")
        if hasattr(record, "updated_by_id"):
            record.updated_by = by  # type: ignore[attr-defined]
            update_fields += ["updated_by", "updated_at"]
        record.save(update_fields=update_fields)
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=str(record.pk),
            from_status=from_status,
            to_status=to_status,
            changed_by=by,
            changed_at=at,
            note=note[:500],
        )


def record_start(record: models.Model, *, by=None, note: str = "", at=None) -> None:
    """Log the status a record was created in (from nothing), so its history starts
    where it started: an order created on credit hold shows who held it and why."""
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        from_status="",
        to_status=record.status,  # type: ignore[attr-defined]
        changed_by=by,
        changed_at=at or timezone.now(),
        note=note[:500],
    )
