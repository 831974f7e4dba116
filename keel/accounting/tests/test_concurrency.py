"""Concurrency on PostgreSQL: many writers, one journal, gapless numbers, exact balances."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from keel.core.tests.concurrency import run_together
from keel.core.tests.factories import CompanyFactory

from ..models import AccountBalance, Invoice, JournalEntry, JournalLine, OpenItem
from ..selectors import account_for_role, balance_differences, first_broken_link
from ..selectors.invoices import control_differences
from ..services import invoices
from ..services.posting import post_entry
from .factories import books, party, sale_lines, tax

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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_clerks_post_800_invoices_with_gapless_legal_numbers():
    """Given one sales journal, a 20% VAT and one customer per clerk, when 8 clerks at
    the same time each draft and post 100 invoices of 10.00 + 2.00 VAT through the
    invoice service, then no clerk failed (no deadlock), the 800 invoices carry the
    legal numbers INV/2026/00001 … 00800 without a gap or a repeat, every invoice's
    entry balances at 12.00, the receivable account holds exactly 9,600.00 which is
    the sum of the open items, the maintained balances match the lines and the hash
    chain verifies."""
    # Given
    company = CompanyFactory(name="Concurrent Invoicing Co")
    journal = books(company)["SAL"]
    vat = tax(company, "VAT 20%", "20")
    customers = [party(company, f"Customer {n}") for n in range(THREADS)]
    waiting = list(customers)
    pick = threading.Lock()

    def clerk() -> None:
        with pick:
            customer = waiting.pop()
        for n in range(PER_THREAD):
            draft = invoices.create_invoice(
                company,
                party=customer,
                date=dt.date(2026, 6, 15),
                journal=journal,
                ref=f"{customer.name} #{n}",
                lines=[
                    {
                        "description": "Support hour",
                        "quantity": 1,
                        "unit_price": "10.00",
                        "taxes": [vat],
                    }
                ],
            )
            invoices.post_invoice(draft.pk)

    # When
    errors = run_together(clerk, THREADS)

    # Then
    assert errors == []
    posted = Invoice.objects.filter(company=company, status=Invoice.Status.POSTED)
    numbers = sorted(posted.values_list("number", flat=True))
    assert numbers == [f"INV/2026/{n:05d}" for n in range(1, THREADS * PER_THREAD + 1)]
    assert not posted.exclude(number=F("entry__number")).exists()
    per_entry = (
        JournalLine.objects.filter(entry__journal=journal)
        .values("entry_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    assert len(per_entry) == THREADS * PER_THREAD
    assert {(row["debit"], row["credit"]) for row in per_entry} == {
        (Decimal("12.00"), Decimal("12.00"))
    }
    receivable = account_for_role(company, "receivable")
    balance = AccountBalance.objects.get(account=receivable)
    assert (balance.debit, balance.credit) == (Decimal("9600.00"), Decimal("0.00"))
    open_items = OpenItem.objects.filter(company=company, account=receivable)
    assert open_items.aggregate(left=Sum("residual"))["left"] == Decimal("9600.00")
    assert control_differences(company.pk) == {}
    assert balance_differences(company.pk) == []
    assert first_broken_link(company.pk) == (None, THREADS * PER_THREAD)
