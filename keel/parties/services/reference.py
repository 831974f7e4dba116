"""Regions, channels, industries, tags and customer groups: named lists per company."""

from __future__ import annotations

from django.db.models import ProtectedError

from keel.core.errors import Conflict, InvalidInput
from keel.core.transactions import atomic_service


@atomic_service
def save_named(record):
    """Create or rename a list entry; names are unique within the company."""
    record.name = (record.name or "").strip()
    if not record.name:
        raise InvalidInput("A name is needed.", field="name")
    clash = type(record).objects.filter(company_id=record.company_id, name__iexact=record.name)
    if clash.exclude(pk=record.pk).exists():
        raise Conflict(
            f"A {record._meta.verbose_name} named “{record.name}” already exists.",
            code="duplicate_name",
            field="name",
        )
    record.save()
    return record


@atomic_service
def delete_named(record) -> None:
    """Delete an unused entry; one still used by parties or other records is refused."""
    try:
        record.delete()
    except ProtectedError as error:
        raise Conflict(
            f"“{record}” is still used by {len(error.protected_objects)} record(s); "
            "reassign them first.",
            code="in_use",
        ) from error
