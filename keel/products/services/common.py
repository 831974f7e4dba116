"""Helpers the products services share."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from keel.core.errors import InvalidInput

from ..errors import DuplicateCode


def require_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{label} is required.", field=field)
    return value


def save_guarded(instance, *, by, duplicate_message: str, field: str) -> None:
    """Save `instance` stamping who did it; a unique clash that slipped past the
    pre-checks (a concurrent insert) becomes a 409 instead of a 500."""
    if instance.pk is None:
        instance.created_by = by
    instance.updated_by = by
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise DuplicateCode(duplicate_message, field=field) from error


def same_company(record, company_id: int, field: str, label: str) -> None:
    if record is not None and record.company_id != company_id:
        raise InvalidInput(f"{label} '{record}' belongs to another company.", field=field)


def as_decimal(value, field: str) -> Decimal | None:
    """An exact Decimal from a Decimal, int or numeric string (None stays None)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise InvalidInput("Give amounts as text or Decimal, not floats.", field=field)
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as error:
        raise InvalidInput(f"'{value}' is not a number.", field=field) from error
