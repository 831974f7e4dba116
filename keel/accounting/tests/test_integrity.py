"""The hash chain and the balance check find what was changed behind the engine's back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ..hashing import GENESIS
from ..models import AccountBalance, JournalEntry, LedgerHead
from ..selectors import balance_differences, first_broken_link
from ..services.posting import post_entry
from .factories import sale_lines

D = Decimal
DAY = dt.date(2026, 5, 4)

TRIGGERS = {
    "postgresql": ["DROP TRIGGER accounting_line_immutable ON accounting_journalline"],
    "sqlite": ["DROP TRIGGER accounting_line_no_update"],
}


def _run(*args) -> tuple[int, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
    return code, out.getvalue() + err.getvalue()


def test_each_entry_is_chained_to_the_previous_one(company, books):
    """Given three posted entries, then each stores the previous one's hash and the
    ledger head holds the last, and verify-ledger says OK (exit 0)."""
    entries = [post_entry(company, books["GEN"], DAY, sale_lines(f"{n}.00")) for n in (1, 2, 3)]
    assert [e.chain_index for e in entries] == [1, 2, 3]
    assert entries[0].previous_hash == GENESIS
    assert entries[1].previous_hash == entries[0].hash
    assert entries[2].previous_hash == entries[1].hash
    head = LedgerHead.objects.get(company=company)
    assert (head.last_index, head.last_hash) == (3, entries[2].hash)
    assert first_broken_link(company.pk) == (None, 3)
    code, output = _run("verify-ledger")
    assert code == 0
    assert "OK Acme Test Co: 3 entries, chain intact." in output


def test_a_tampered_line_is_named_by_verify_ledger(company, books):
    """Given three posted entries, when someone drops the trigger and changes an amount
    of the second entry's line in SQL, then verify-ledger exits 1 naming that entry."""
    entries = [post_entry(company, books["GEN"], DAY, sale_lines(f"{n}.00")) for n in (1, 2, 3)]
    target = entries[1].lines.order_by("sequence").first()
    with connection.cursor() as cursor:
        for sql in TRIGGERS[connection.vendor]:
            cursor.execute(sql)
        cursor.execute(
            "UPDATE accounting_journalline SET debit = debit + 10000 WHERE id = %s", [target.pk]
        )
    broken, checked = first_broken_link(company.pk)
    assert (broken.number, broken.chain_index, checked) == (entries[1].number, 2, 1)
    assert "were altered" in broken.reason
    code, output = _run("verify-ledger")
    assert code == 1
    assert f"BROKEN Acme Test Co: entry {entries[1].number} (chain #2)" in output


def test_a_deleted_entry_breaks_the_chain(company, books):
    """Given two posted entries, when the last one disappears (triggers dropped),
    then the head still names it and verify-ledger reports the gap."""
    post_entry(company, books["GEN"], DAY, sale_lines("1.00"))
    last = post_entry(company, books["GEN"], DAY, sale_lines("2.00"))
    drop = {
        "postgresql": [
            "SET CONSTRAINTS ALL IMMEDIATE",
            "DROP TRIGGER accounting_line_immutable ON accounting_journalline",
            "DROP TRIGGER accounting_entry_immutable ON accounting_journalentry",
        ],
        "sqlite": [
            "DROP TRIGGER accounting_line_no_delete",
            "DROP TRIGGER accounting_entry_no_delete",
        ],
    }
    with connection.cursor() as cursor:
        for sql in drop[connection.vendor]:
            cursor.execute(sql)
        cursor.execute("DELETE FROM accounting_journalline WHERE entry_id = %s", [last.pk])
        cursor.execute("DELETE FROM accounting_journalentry WHERE id = %s", [last.pk])
    broken, _ = first_broken_link(company.pk)
    assert "ledger head names an entry that is missing" in broken.reason


def test_rebuild_balances_reports_and_repairs_a_difference(company, books):
    """Given a balance row changed behind the engine's back, then `rebuild-balances
    --check` lists it and exits 1; `rebuild-balances` repairs it; a second check is clean."""
    post_entry(company, books["GEN"], DAY, sale_lines("40.00"))
    row = AccountBalance.objects.order_by("pk").first()
    AccountBalance.objects.filter(pk=row.pk).update(debit=D("41.00"))
    assert len(balance_differences(company.pk)) == 1
    code, output = _run("rebuild-balances", "--check")
    assert code == 1
    assert "stored D 41.0000" in output and "lines say D 40.0000" in output
    assert AccountBalance.objects.get(pk=row.pk).debit == D("41.00")
    code, output = _run("rebuild-balances")
    assert code == 0 and "1 balance(s) were rebuilt" in output
    code, output = _run("rebuild-balances", "--check")
    assert code == 0 and "balances match the lines" in output
    assert balance_differences(company.pk) == []


@pytest.mark.parametrize("count", [1])
def test_chain_is_per_company(company, books, count):
    from keel.core.tests.factories import CompanyFactory

    from .factories import books as make_books

    other = CompanyFactory(name="Other Co")
    other_books = make_books(other)
    post_entry(company, books["GEN"], DAY, sale_lines("1.00"))
    entry = post_entry(other, other_books["GEN"], DAY, sale_lines("1.00"))
    assert entry.chain_index == 1 and entry.previous_hash == GENESIS
    assert JournalEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_flush_empties_a_ledger_with_posted_entries():
    """Given posted entries (which refuse DELETE), then `flush` — run between
    transactional tests — still empties the database, and the guard is back after."""
    from keel.core.tests.factories import CompanyFactory

    from .factories import books as make_books

    company = CompanyFactory(name="Flushed Co")
    post_entry(company, make_books(company)["GEN"], DAY, sale_lines("3.00"))
    call_command("flush", interactive=False, verbosity=0)
    assert JournalEntry.objects.count() == 0
    company = CompanyFactory(name="Flushed Co")
    entry = post_entry(company, make_books(company)["GEN"], DAY, sale_lines("3.00"))
    with pytest.raises(Exception, match="immutable"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounting_journalentry WHERE id = %s", [entry.pk])
