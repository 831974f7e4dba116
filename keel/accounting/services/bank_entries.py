"""Matching a draft statement's line with an entry already posted: the payment (or
other bank entry) registered before the bank reported it. The line is booked by
that entry, so confirming the statement does not post it again to suspense."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from keel.core.errors import InvalidInput, TransitionNotAllowed
from keel.core.money import format_money
from keel.core.transactions import atomic_service

from ..errors import LineAmountMismatch
from ..models import BankStatement, BankStatementLine, JournalEntry, JournalLine
from ..selectors.chart import account_for_role

ZERO = Decimal(0)


def bank_account_id(journal) -> int:
    """The account a bank journal's statements move: its default one, else the bank role's."""
    return journal.default_account_id or account_for_role(journal.company_id, "bank").pk


def bank_movement(entry: JournalEntry, account_id: int) -> Decimal:
    """What `entry` moves on the bank account: debit − credit (positive = money in)."""
    sums = JournalLine.objects.filter(entry=entry, account_id=account_id).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (sums["d"] or ZERO) - (sums["c"] or ZERO)


@atomic_service
def match_line_with_entry(line_id: int, entry_id: int, *, by=None) -> BankStatementLine:
    """Book a line of a draft statement with a posted entry of the same bank journal
    that moves the bank by exactly the line's amount; refuses a confirmed statement,
    a line already booked, an entry another line books, or a different amount."""
    line = (
        BankStatementLine.objects.select_for_update(of=("self",))
        .select_related("statement", "journal", "company")
        .get(pk=line_id)
    )
    if line.statement.status != BankStatement.Status.DRAFT:
        raise TransitionNotAllowed(
            f"Statement {line.statement.name} is confirmed; its lines are booked already."
        )
    if line.entry_id:
        raise InvalidInput(f"Line {line.sequence} is matched already.", field="entry")
    entry = JournalEntry.objects.filter(pk=entry_id, company_id=line.company_id).first()
    if entry is None or entry.state != JournalEntry.State.POSTED:
        raise InvalidInput("Choose a posted entry of this company.", field="entry")
    if entry.journal_id != line.journal_id:
        raise InvalidInput(
            f"Entry {entry.number} is not in journal {line.journal.code}.", field="entry"
        )
    moved = bank_movement(entry, bank_account_id(line.journal))
    if moved != line.amount:
        currency = line.company.currency
        raise LineAmountMismatch(
            f"Entry {entry.number} moves {format_money(moved, currency)} on the bank; "
            f"line {line.sequence} says {format_money(line.amount, currency)}.",
            field="entry",
        )
    taken = BankStatementLine.objects.filter(entry_id=entry.pk).first()
    if taken is not None:
        raise InvalidInput(
            f"Entry {entry.number} is matched with line {taken.sequence} of "
            f"{taken.statement.name} already.",
            field="entry",
        )
    line.entry = entry
    line.save(update_fields=["entry"])
    return line
