"""Gapless numbering: draw the next number of a series inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.db.models import F

from .invariants import Violation
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


# Where the numbers of each series live, by the start of the series key
# ("accounting.journal.", "inventory."): domains register them from ready().
NumbersOf = Callable[[Sequence], Iterable[str]]
_NUMBERED: dict[str, NumbersOf] = {}


def register_numbered(key_prefix: str, numbers_of: NumbersOf) -> None:
    """Tell the gapless check where the numbers of the series whose key starts with
    `key_prefix` are kept: `numbers_of(sequence)` yields every number the documents carry
    that starts with the series' head (the check reads only those)."""
    _NUMBERED[key_prefix] = numbers_of


def series_violations(sequence: Sequence, numbers: Iterable[str]) -> list[Violation]:
    """What breaks the series: a number used twice, a number missing below the next
    one, or a number at or past the next one (the series would give it again)."""
    head = sequence.head
    used = Counter(
        int(number[len(head) :])
        for number in numbers
        if number.startswith(head) and number[len(head) :].isdigit()
    )
    issued = sequence.next_value - 1
    wrong = {
        "duplicates": (
            [value for value, count in used.items() if count > 1],
            "used more than once",
        ),
        "missing": (set(range(1, issued + 1)) - set(used), f"missing of the {issued} issued"),
        "beyond": (
            [value for value in used if value > issued],
            f"at or past the next number {sequence.format(sequence.next_value)}",
        ),
    }
    found = []
    for kind, (values, what) in wrong.items():
        numbers = [sequence.format(value) for value in sorted(values)]
        if numbers:
            found.append(
                Violation(
                    f"series {head}… ({sequence.key})",
                    f"{len(numbers)} number(s) {what}: " + ", ".join(numbers[:10]),
                    {kind: numbers, "next": sequence.next_value},
                )
            )
    return found


def numbering_violations(company: Company) -> list[Violation]:
    """Every legal number is used once and no number is skipped, per series."""
    found = []
    for sequence in Sequence.objects.filter(company=company).order_by("key", "fiscal_year"):
        numbers_of = next(
            (fn for prefix, fn in _NUMBERED.items() if sequence.key.startswith(prefix)), None
        )
        if numbers_of is not None:
            found += series_violations(sequence, numbers_of(sequence))
    return found
