"""The posting engine: balanced entries are numbered, chained and counted in the
balances; every refusal says why and leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from keel.core.models import OutboxEvent
from keel.users.roles import Role

from ..errors import (
    AlreadyReversed,
    EmptyEntry,
    InactiveAccount,
    InvalidLine,
    NoOpenPeriod,
    PeriodLocked,
    PostedRecordError,
    RoleNotConfigured,
    UnbalancedEntry,
)
from ..models import (
    Account,
    AccountBalance,
    JournalEntry,
    JournalLine,
    LedgerHead,
    PartyBalance,
)
from ..selectors import account_for_role, balance_differences
from ..services.chart import update_settings
from ..services.posting import Line, post_entry, reverse_entry
from .factories import party, sale_lines

D = Decimal
DAY = dt.date(2026, 3, 15)


def ledger_rows() -> tuple[int, ...]:
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        AccountBalance.objects.count(),
        PartyBalance.objects.count(),
        OutboxEvent.objects.count(),
    )


def test_a_sale_is_posted_numbered_and_counted_in_the_balances(company, books, users):
    """Given the generic chart, when a 1,250.50 sale to Acme is posted by role,
    then it gets the first number of the sales journal for 2026, its lines land on
    the receivable and revenue accounts and both balances (and Acme's) say so."""
    acme = party(company)
    entry = post_entry(
        company,
        books["SAL"],
        DAY,
        sale_lines("1250.50", party=acme),
        ref="SO-1",
        by=users[Role.ACCOUNTANT],
    )
    assert entry.number == "INV/2026/00001"
    assert entry.state == JournalEntry.State.POSTED
    receivable = account_for_role(company, "receivable")
    revenue = account_for_role(company, "revenue")
    lines = list(entry.lines.order_by("sequence"))
    assert [(ln.account_id, ln.debit, ln.credit) for ln in lines] == [
        (receivable.pk, D("1250.50"), D("0")),
        (revenue.pk, D("0"), D("1250.50")),
    ]
    assert lines[0].amount_currency == D("1250.50") and lines[0].currency == "USD"
    balance = AccountBalance.objects.get(account=receivable)
    assert (balance.debit, balance.credit) == (D("1250.50"), D("0"))
    assert balance.period.start == dt.date(2026, 3, 1)
    assert PartyBalance.objects.get(party=acme).debit == D("1250.50")
    assert not PartyBalance.objects.filter(account=revenue).exists()
    assert OutboxEvent.objects.filter(topic="accounting.entry.posted").count() == 1
    second = post_entry(company, books["SAL"], DAY, sale_lines("10.00", party=acme))
    assert second.number == "INV/2026/00002"
    assert AccountBalance.objects.get(account=receivable).debit == D("1260.50")
    assert balance_differences(company.pk) == []


def test_an_entry_can_point_at_its_source_document(company, books):
    """Given any record of a higher tier (here the company stands in), when an entry
    is posted for it, then the entry's generic reference leads back to it."""
    entry = post_entry(company, books["GEN"], DAY, sale_lines("5.00"), source=company)
    assert JournalEntry.objects.get(pk=entry.pk).source == company


@pytest.mark.parametrize(
    ("lines", "error", "message"),
    [
        ([], EmptyEntry, "at least one line"),
        (
            [{"role": "bank", "debit": "0"}, {"role": "revenue", "credit": "0"}],
            EmptyEntry,
            "with an amount",
        ),
        (
            [{"role": "bank", "debit": D("100.00")}, {"role": "revenue", "credit": D("90.00")}],
            UnbalancedEntry,
            "debits 100.00 USD, credits 90.00 USD, difference 10.00 USD",
        ),
        (
            [{"role": "bank", "debit": D("-5")}, {"role": "revenue", "credit": D("-5")}],
            InvalidLine,
            "must not be negative",
        ),
        (
            [{"role": "bank", "debit": D("5"), "credit": D("5")}],
            InvalidLine,
            "both a debit (5) and a credit (5)",
        ),
        (
            [{"role": "bank", "debit": D("1.005")}, {"role": "revenue", "credit": D("1.005")}],
            InvalidLine,
            "more decimals than USD allows",
        ),
        (
            [{"role": "bank", "debit": 1.5}, {"role": "revenue", "credit": 1.5}],
            InvalidLine,
            "not an exact amount",
        ),
        (
            [{"debit": D("1")}, {"role": "revenue", "credit": D("1")}],
            InvalidLine,
            "neither an account nor a role",
        ),
        ([{"role": "bank", "debit": D("1"), "colour": "red"}], InvalidLine, "unexpected keyword"),
        (
            [{"role": "bank", "debit": D("1E+15")}, {"role": "revenue", "credit": D("1E+15")}],
            InvalidLine,
            "1E+15 is too large",
        ),
        (
            [{"role": "bank", "debit": D("1E+40")}, {"role": "revenue", "credit": D("1E+40")}],
            InvalidLine,
            "1E+40 is too large",
        ),
        (
            [
                {"role": "bank", "debit": D("1"), "tax_base_amount": D("0.00001")},
                {"role": "revenue", "credit": D("1")},
            ],
            InvalidLine,
            "more than 4 decimal places",
        ),
        (
            [
                {"role": "bank", "debit": D("1"), "currency": "EUR"},
                {"role": "revenue", "credit": D("1")},
            ],
            InvalidLine,
            "give its amount_currency",
        ),
    ],
)
def test_bad_entries_are_refused_and_leave_no_trace(company, books, lines, error, message):
    """Given the books, when a faulty entry is posted, then a DomainError says what is
    wrong and no entry, line, balance or event was written."""
    before = ledger_rows()
    with pytest.raises(error) as refused:
        post_entry(company, books["GEN"], DAY, lines)
    assert message in refused.value.detail
    assert ledger_rows() == before


def test_a_missing_role_and_an_archived_account_are_refused(company, books):
    """Given an archived bank account and no account with the role 'salaries', then
    posting to either is refused."""
    Account.objects.filter(company=company, role="salaries").update(role="")
    with pytest.raises(RoleNotConfigured, match="role 'Salaries'"):
        post_entry(
            company,
            books["GEN"],
            DAY,
            [{"role": "salaries", "debit": D(1)}, {"role": "bank", "credit": D(1)}],
        )
    bank = account_for_role(company, "bank")
    Account.objects.filter(pk=bank.pk).update(active=False)
    before = ledger_rows()
    with pytest.raises(InactiveAccount, match="1000 Bank is archived"):
        post_entry(
            company,
            books["GEN"],
            DAY,
            [Line(account=bank, debit=D(1)), Line(role="revenue", credit=D(1))],
        )
    assert ledger_rows() == before


def test_a_date_without_fiscal_year_is_refused(company, books):
    with pytest.raises(NoOpenPeriod, match="No fiscal period covers 2030-01-01"):
        post_entry(company, books["GEN"], dt.date(2030, 1, 1), sale_lines("1.00"))


def test_lock_dates_refuse_postings_for_everyone_or_for_non_advisers(company, books, users):
    """Given the books locked up to 31 January for everyone and up to 31 March for
    non-advisers, then a Sales Manager cannot post in March, the Accountant can,
    and nobody can post in January — each refusal writes nothing."""
    update_settings(company, lock_date=dt.date(2026, 1, 31), adviser_lock_date=dt.date(2026, 3, 31))
    before = ledger_rows()
    with pytest.raises(PeriodLocked) as refused:
        post_entry(company, books["GEN"], DAY, sale_lines("1.00"), by=users[Role.SALES_MANAGER])
    assert refused.value.detail == (
        "Posting on 2026-03-15 is refused: the books are locked up to 2026-03-31. "
        "Post in an open period or ask an adviser."
    )
    with pytest.raises(PeriodLocked, match="locked up to 2026-01-31"):
        post_entry(
            company,
            books["GEN"],
            dt.date(2026, 1, 10),
            sale_lines("1.00"),
            by=users[Role.ACCOUNTANT],
        )
    assert ledger_rows() == before
    entry = post_entry(company, books["GEN"], DAY, sale_lines("1.00"), by=users[Role.ACCOUNTANT])
    assert entry.number == "GEN/2026/00001"


def test_posted_entries_are_immutable_in_the_models_and_in_the_database(company, books):
    """Given a posted entry, then saving or deleting it or a line through Django is
    refused, and raw SQL UPDATE/DELETE/INSERT is refused by the database triggers."""
    entry = post_entry(company, books["GEN"], DAY, sale_lines("7.00"))
    line = entry.lines.first()
    entry.ref = "changed"
    with pytest.raises(PostedRecordError):
        entry.save()
    with pytest.raises(PostedRecordError):
        entry.delete()
    with pytest.raises(PostedRecordError):
        line.save()
    with pytest.raises(PostedRecordError):
        JournalLine.objects.filter(pk=line.pk).update(label="x")
    with pytest.raises(PostedRecordError):
        JournalEntry.objects.filter(pk=entry.pk).delete()
    statements = [
        ("UPDATE accounting_journalentry SET ref = 'x' WHERE id = %s", [entry.pk]),
        ("DELETE FROM accounting_journalentry WHERE id = %s", [entry.pk]),
        ("UPDATE accounting_journalline SET debit = 1 WHERE id = %s", [line.pk]),
        ("DELETE FROM accounting_journalline WHERE id = %s", [line.pk]),
        (
            "INSERT INTO accounting_journalline (entry_id, company_id, sequence, date, period_id,"
            " account_id, label, debit, credit, currency, amount_currency, analytic_tags,"
            " tax_base_amount) SELECT entry_id, company_id, 9, date, period_id, account_id,"
            " label, debit, credit, currency, amount_currency, analytic_tags, tax_base_amount"
            " FROM accounting_journalline WHERE id = %s",
            [line.pk],
        ),
    ]
    for sql, params in statements:
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
    assert JournalLine.objects.get(pk=line.pk).debit == line.debit
    assert entry.lines.count() == 2


def test_the_database_refuses_a_line_whose_entry_account_party_or_tax_is_missing(company, books):
    """Given a draft entry written by hand beside a posted one, when raw SQL adds lines
    to it, then a line naming a missing entry, account, party or tax is refused by the
    database (the references are checked per statement, ADR 0009) and a line whose
    references all exist goes in."""
    entry = post_entry(company, books["GEN"], DAY, sale_lines("7.00"))
    line = entry.lines.first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounting_journalentry (company_id, journal_id, number, date,"
            " period_id, ref, state, source_id, chain_index, previous_hash, hash, posted_at)"
            " SELECT company_id, journal_id, 'HAND/1', date, period_id, '', 'draft', '',"
            " 9999, previous_hash, hash, posted_at FROM accounting_journalentry WHERE id = %s",
            [entry.pk],
        )
    draft = JournalEntry.objects.get(number="HAND/1")
    insert = (
        "INSERT INTO accounting_journalline (entry_id, company_id, sequence, date, period_id,"
        " account_id, party_id, tax_id, label, debit, credit, currency, amount_currency,"
        " analytic_tags, tax_base_amount) SELECT %s, company_id, %s, date, period_id, %s, %s,"
        " %s, label, debit, credit, currency, amount_currency, analytic_tags, tax_base_amount"
        " FROM accounting_journalline WHERE id = %s"
    )
    missing = 987654321
    for entry_id, account_id, party_id, tax_id in [
        (missing, line.account_id, None, None),
        (draft.pk, missing, None, None),
        (draft.pk, line.account_id, missing, None),
        (draft.pk, line.account_id, None, missing),
    ]:
        with pytest.raises(IntegrityError, match="missing"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(insert, [entry_id, 1, account_id, party_id, tax_id, line.pk])
    with connection.cursor() as cursor:
        cursor.execute(insert, [draft.pk, 1, line.account_id, None, None, line.pk])
    assert draft.lines.count() == 1


def test_the_ledger_head_seals_entries_against_more_lines(company, books):
    """Given an entry written posted by hand beyond the ledger head (as a posting writes
    its batch before it moves the head), when raw SQL adds a line, then it goes in;
    once the head moves past the entry, the database refuses any further line."""
    entry = post_entry(company, books["GEN"], DAY, sale_lines("7.00"))
    line = entry.lines.first()
    head = LedgerHead.objects.get(company=company)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounting_journalentry (company_id, journal_id, number, date,"
            " period_id, ref, state, source_id, chain_index, previous_hash, hash, posted_at)"
            " SELECT company_id, journal_id, 'HAND/2', date, period_id, '', 'posted', '',"
            " %s, previous_hash, hash, posted_at FROM accounting_journalentry WHERE id = %s",
            [head.last_index + 1, entry.pk],
        )
    unsealed = JournalEntry.objects.get(number="HAND/2")
    insert = (
        "INSERT INTO accounting_journalline (entry_id, company_id, sequence, date, period_id,"
        " account_id, label, debit, credit, currency, amount_currency, analytic_tags,"
        " tax_base_amount) SELECT %s, company_id, %s, date, period_id, account_id, label,"
        " debit, credit, currency, amount_currency, analytic_tags, tax_base_amount"
        " FROM accounting_journalline WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, [unsealed.pk, 1, line.pk])
    LedgerHead.objects.filter(pk=head.pk).update(last_index=head.last_index + 1)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(insert, [unsealed.pk, 2, line.pk])
    assert unsealed.lines.count() == 1


def test_a_reversal_mirrors_the_entry_and_nets_the_balances(company, books, users):
    """Given a posted sale, when it is reversed, then a new entry swaps every debit
    and credit, points at the original, the balances net to zero, and a second
    reversal is refused."""
    acme = party(company)
    entry = post_entry(company, books["SAL"], DAY, sale_lines("99.99", party=acme))
    reversal = reverse_entry(
        entry, dt.date(2026, 4, 2), by=users[Role.ACCOUNTANT], reason="wrong customer"
    )
    assert reversal.number == "INV/2026/00002"
    assert reversal.reverses_id == entry.pk
    assert reversal.ref == f"Reversal of {entry.number}: wrong customer"
    assert [(ln.debit, ln.credit, ln.party_id) for ln in reversal.lines.order_by("sequence")] == [
        (D("0"), D("99.99"), acme.pk),
        (D("99.99"), D("0"), None),
    ]
    receivable = account_for_role(company, "receivable")
    from ..selectors.reports import account_sums

    debit, credit = account_sums(company.pk, None, None)[receivable.pk]
    assert debit - credit == D("0")
    assert OutboxEvent.objects.filter(topic="accounting.entry.reversed").count() == 1
    before = ledger_rows()
    with pytest.raises(AlreadyReversed, match=f"{entry.number} is already reversed"):
        reverse_entry(entry, DAY, reason="again")
    with pytest.raises(InvalidLine, match="Say why"):
        reverse_entry(reversal, DAY, reason=" ")
    assert ledger_rows() == before
