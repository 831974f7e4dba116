"""Gapless numbering: draw the next number of a series inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Company, Sequence


def ensure_sequence(
    company: Company, key: str, fiscal_year: int, *, prefix: str = "", padding: int = 5
) -> Sequence:
    """The series' lock row, created if missing (two creators race safely)."""
    try:
        return Sequence.objects.get(company=company, key=key, fiscal_year=fiscal_year)
    except Sequence.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Sequence.objects.create(
                company=company, key=key, fiscal_year=fiscal_year, prefix=prefix, padding=padding
            )
    except IntegrityError:
        # Another transaction created it first; use theirs.
        return Sequence.objects.get(company=company, key=key, fiscal_year=fiscal_year)


def next_number(
    company: Company,
    key: str,
    on_date: dt.date | None,
    *,
    prefix: str = "",
    padding: int = 5,
    yearly: bool = True,
) -> str:
    """The next number of `key` for the fiscal year of `on_date`, e.g. 'INV/2026/00001';
    with `yearly=False` one series that never restarts, e.g. 'WH/IN/00001'.

    Must run inside the transaction that uses the number: the series row stays
    locked until it commits, and a rollback returns the number, so the series
    has no gaps and no repeats under concurrency.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must be called inside the document's transaction.")
    fiscal_year = company.fiscal_year_of(on_date) if yearly else Sequence.NOT_YEARLY
    series = Sequence.objects.select_for_update()
    try:
        locked = series.get(company=company, key=key, fiscal_year=fiscal_year)
    except Sequence.DoesNotExist:
        sequence = ensure_sequence(company, key, fiscal_year, prefix=prefix, padding=padding)
        locked = series.get(pk=sequence.pk)
    value = locked.next_value
    Sequence.objects.filter(pk=locked.pk).update(next_value=F("next_value") + 1)
    return locked.format(value)
