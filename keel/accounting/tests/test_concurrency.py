"""Concurrency on PostgreSQL: many writers, one journal, gapless numbers, exact balances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.tests.concurrency import run_together
from keel.core.tests.factories import CompanyFactory

from ..models import AccountBalance, JournalEntry
from ..selectors import account_for_role, balance_differences, first_broken_link
from ..services.posting import post_entry
from .factories import books, sale_lines

THREADS, PER_THREAD = 8, 100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_writers_post_800_entries_with_gapless_numbers():
    """Given one sales journal, when 8 threads post 100 entries of 1.01 each at the
    same time, then there are 800 entries numbered INV/2026/00001 … 00800 without a
    gap or a repeat, no thread failed (no deadlock), the receivable balance is
    exactly 808.00 and the hash chain verifies."""
    company = CompanyFactory(name="Concurrent Co")
    journal = books(company)["SAL"]

    def writer() -> None:
        for _ in range(PER_THREAD):
            post_entry(company, journal, dt.date(2026, 6, 15), sale_lines("1.01"))

    errors = run_together(writer, THREADS)
    assert errors == []
    numbers = sorted(JournalEntry.objects.filter(journal=journal).values_list("number", flat=True))
    assert numbers == [f"INV/2026/{n:05d}" for n in range(1, THREADS * PER_THREAD + 1)]
    receivable = account_for_role(company, "receivable")
    assert AccountBalance.objects.get(account=receivable).debit == Decimal("808.00")
    assert balance_differences(company.pk) == []
    assert first_broken_link(company.pk) == (None, THREADS * PER_THREAD)
