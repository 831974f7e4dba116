"""One legal series under load, on PostgreSQL: 16 clerks post 1,000 invoices into the
same journal at the same time. The numbers come out unique and gapless in the order
the invoices were posted, nobody deadlocks, every retry is counted and was a
serialization or lock retry (never a lost posting), and the books balance."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from keel.accounting.models import AccountBalance, Invoice, JournalEntry, JournalLine
from keel.accounting.selectors import account_for_role
from keel.accounting.services import invoices
from keel.accounting.tests.factories import books, invoice, party, tax
from keel.core.tests.concurrency import race
from keel.core.tests.factories import CompanyFactory
from keel.core.tests.invariants import run_keel_check
from keel.core.transactions import RETRYABLE_PGCODES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
# The issue asks 1,000; KEEL_SERIES_POSTINGS lowers it where a CI stage must be quick.
WORKERS, POSTINGS = 16, int(os.environ.get("KEEL_SERIES_POSTINGS", "1000"))
JUNE_15 = dt.date(2026, 6, 15)


def test_16_clerks_post_1000_invoices_into_one_series(retry_log):
    """Given one sales journal, a 20% VAT and 16 customers;
    When 16 clerks take the next of 1,000 jobs until none is left, each drafting and
    posting an invoice of 10.00 + 2.00 VAT, all at the same time;
    Then 1,000 invoices are posted, numbered INV/2026/00001 … 01000 in the order they
    were posted (the hash chain's order), none twice and none skipped; no clerk hit
    an error or a deadlock; every retry was a serialization/lock retry and is
    reported; receivables hold exactly 12,000.00 and `keel check` is clean."""
    # Given
    company = CompanyFactory(name="Series Co")
    journal = books(company)["SAL"]
    vat = tax(company, "VAT 20%", "20")
    customers = [party(company, f"Customer {n:02d}") for n in range(WORKERS)]
    jobs = iter(range(POSTINGS))
    take = threading.Lock()
    posted_by: dict[int, list[int]] = {n: [] for n in range(WORKERS)}

    def clerk(index: int) -> None:
        while True:
            with take:
                job = next(jobs, None)
            if job is None:
                return
            draft = invoice(
                company,
                customers[index],
                [{"description": "Support hour", "unit_price": "10.00", "taxes": [vat]}],
                date=JUNE_15,
                post=False,
                journal=journal,
                ref=f"job {job}",
            )
            invoices.post_invoice(draft.pk)
            posted_by[index].append(draft.pk)

    # When
    started = time.perf_counter()
    outcome = race(clerk, WORKERS)
    seconds = time.perf_counter() - started

    # Then: every clerk finished, and the figures are reported
    retried = Counter(thread for thread, _, _ in retry_log.entries)
    reasons = Counter(reason for _, _, reason in retry_log.entries)
    print(f"\n{POSTINGS} postings by {WORKERS} clerks in {seconds:.1f} s")
    for index in range(WORKERS):
        print(
            f"  clerk {index:02d}: {len(posted_by[index]):4d} posted, "
            f"{retried[f'worker-{index:02d}']} retries"
        )
    print(f"  retries: {retry_log.total} in all, by SQLSTATE {dict(reasons)}")
    assert outcome.errors == [] and outcome.refused == []
    assert outcome.done == list(range(WORKERS))
    assert sum(len(done) for done in posted_by.values()) == POSTINGS
    assert set(reasons) <= RETRYABLE_PGCODES - {"40P01"}  # no deadlock, not even retried
    assert {service for _, service, _ in retry_log.entries} <= {"create_invoice", "post_invoice"}

    # Unique and gapless, in posting order
    entries = JournalEntry.objects.filter(journal=journal).order_by("chain_index")
    assert list(entries.values_list("number", flat=True)) == [
        f"INV/2026/{n:05d}" for n in range(1, POSTINGS + 1)
    ]
    posted = Invoice.objects.filter(company=company, status=Invoice.Status.POSTED)
    assert posted.count() == POSTINGS
    assert not Invoice.objects.filter(company=company).exclude(status="posted").exists()
    assert sorted(pk for done in posted_by.values() for pk in done) == sorted(
        posted.values_list("pk", flat=True)
    )
    # The books balance
    totals = JournalLine.objects.filter(entry__journal=journal).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    assert totals == {"debit": D("12.00") * POSTINGS, "credit": D("12.00") * POSTINGS}
    receivable = AccountBalance.objects.get(account=account_for_role(company, "receivable"))
    assert (receivable.debit, receivable.credit) == (D("12.00") * POSTINGS, D("0.00"))
    code, report = run_keel_check()
    assert code == 0, report
