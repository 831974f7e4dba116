"""`keel check` on the books: a sound company passes; each kind of damage done behind
the engine's back (raw SQL, as an outage or a bug would) is reported with its figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from keel.core import invariants
from keel.core.tests.invariants import assert_invariants_hold, run_keel_check

from ..models import Account, JournalEntry, OpenItem
from ..services.payments import register_payment
from ..services.posting import post_entry
from .factories import invoice, party, sale_lines

D = Decimal
JAN_20 = dt.date(2026, 1, 20)

# Posted rows refuse UPDATE through triggers; the damage below drops them first
# (inside the test's transaction, so they come back after it).
LINE_TRIGGERS = {
    "postgresql": ["DROP TRIGGER accounting_line_immutable ON accounting_journalline"],
    "sqlite": ["DROP TRIGGER accounting_line_no_update"],
}
ENTRY_TRIGGERS = {
    "postgresql": ["DROP TRIGGER accounting_entry_immutable ON accounting_journalentry"],
    "sqlite": ["DROP TRIGGER accounting_entry_no_update"],
}


def sql(statement: str, params=(), *, drop=None) -> None:
    with connection.cursor() as cursor:
        for trigger in (drop or {}).get(connection.vendor, []):
            cursor.execute(trigger)
        cursor.execute(statement, list(params))


@pytest.fixture
def trading(company, books):
    """Acme invoiced Globex 100.00 (INV/2026/00001) and was paid 40.00 of it; one
    hand-posted sale of 25.00 in the general journal."""
    globex = party(company, "Globex")
    document = invoice(company, globex)
    register_payment(company, party=globex, amount="40.00", date=JAN_20, invoices=[document.pk])
    post_entry(company, books["GEN"], JAN_20, sale_lines("25.00"))
    return {"customer": globex, "invoice": document}


def found(check: str) -> list[tuple[str, str]]:
    return [(v.subject, v.detail) for v in invariants.run(only=[check])]


def test_a_sound_company_passes_every_check(company, trading):
    """Given invoices, a payment and a hand-posted entry; When `keel check` runs;
    Then every check passes and it exits 0."""
    assert_invariants_hold(company)
    code, output = run_keel_check()
    assert code == 0
    assert "ok   entries-balance" in output and "the data is sound." in output


def test_an_entry_that_no_longer_balances_is_named(company, trading):
    """Given the invoice's receivable line raised from 100.00 to 130.00 in SQL;
    Then entries-balance names INV/2026/00001 with debits 130.00 and credits 100.00."""
    entry = trading["invoice"].entry
    line = entry.lines.get(account__role="receivable")
    sql(
        "UPDATE accounting_journalline SET debit = 1300000 WHERE id = %s",
        [line.pk],
        drop=LINE_TRIGGERS,
    )
    assert found("entries-balance") == [
        ("entry INV/2026/00001", "debits 130.00 USD ≠ credits 100.00 USD")
    ]
    code, output = run_keel_check("--only", "entries-balance")
    assert code == 1
    assert (
        "FAIL entries-balance [Acme Test Co] entry INV/2026/00001: "
        "debits 130.00 USD ≠ credits 100.00 USD" in output
    )


def test_a_maintained_balance_that_drifted_from_its_lines_is_named(company, trading):
    """Given the receivable's January balance raised by 5.00 in SQL; Then
    balances-match-lines shows the stored figures against the lines' sums."""
    receivable = Account.objects.get(company=company, role="receivable")
    sql(
        "UPDATE accounting_accountbalance SET debit = debit + 50000 WHERE account_id = %s",
        [receivable.pk],
    )
    assert found("balances-match-lines") == [
        (
            f"account balance of {receivable.code} in 2026-01",
            "stored debit 130.00 USD credit 40.00 USD, the lines sum to debit 125.00 USD "
            "credit 40.00 USD",
        )
    ]
    assert run_keel_check("--only", "balances-match-lines")[0] == 1


def test_an_open_item_that_disagrees_with_the_control_account_is_named(company, trading):
    """Given the invoice's open item cut from 60.00 to 35.00 in SQL; Then
    control-accounts says Globex owes 60.00 on the books but 35.00 in open items."""
    item = OpenItem.objects.get(invoice=trading["invoice"])
    sql("UPDATE accounting_openitem SET residual = residual - 250000 WHERE id = %s", [item.pk])
    assert found("control-accounts") == [
        ("receivable of Globex", "the balance is 60.00 USD but the open items sum to 35.00 USD")
    ]
    assert run_keel_check("--only", "control-accounts")[0] == 1


def test_an_altered_entry_breaks_the_hash_chain_there(company, trading):
    """Given the label of the payment's first line changed in SQL (amounts untouched);
    Then hash-chain names the payment's entry and how many entries before it hold."""
    payment_entry = JournalEntry.objects.filter(company=company).order_by("chain_index")[1]
    sql(
        "UPDATE accounting_journalline SET label = 'edited' WHERE entry_id = %s AND sequence = 1",
        [payment_entry.pk],
        drop=LINE_TRIGGERS,
    )
    [(subject, detail)] = found("hash-chain")
    assert subject == f"entry {payment_entry.number} (chain #2)"
    stored, recomputed = detail.removeprefix("stored hash ").split("… but its content hashes to ")
    assert stored == payment_entry.hash[:12] and recomputed[:12] != stored
    assert recomputed.endswith(
        "…: the entry or its lines were altered; 1 entries before it are intact"
    )
    assert found("entries-balance") == []  # the amounts still balance
    assert run_keel_check("--only", "hash-chain")[0] == 1


def test_a_renumbered_entry_leaves_a_gap_and_a_number_past_the_series(company, books, trading):
    """Given GEN's entry renumbered from 00001 to 00009 in SQL; Then numbers-gapless
    reports 00001 missing and 00009 beyond the series' next number 00002."""
    entry = JournalEntry.objects.get(journal=books["GEN"])
    prefix = f"{books['GEN'].sequence_prefix}2026/"
    assert entry.number == f"{prefix}00001"
    sql(
        "UPDATE accounting_journalentry SET number = %s WHERE id = %s",
        [f"{prefix}00009", entry.pk],
        drop=ENTRY_TRIGGERS,
    )
    key = books["GEN"].sequence_key
    assert found("numbers-gapless") == [
        (
            f"series {prefix}… ({key})",
            f"1 number(s) missing of the 1 issued: {prefix}00001",
        ),
        (
            f"series {prefix}… ({key})",
            f"1 number(s) at or past the next number {prefix}00002: {prefix}00009",
        ),
    ]
    assert run_keel_check("--only", "numbers-gapless")[0] == 1
