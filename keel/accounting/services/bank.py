"""Confirming a bank statement: each line not yet booked is posted bank ↔ suspense,
so the bank account's balance follows the bank; matching later moves the
suspense amounts to receivables and payables."""

from __future__ import annotations

from keel.core.errors import TransitionNotAllowed
from keel.core.transactions import atomic_service
from keel.core.workflow import transition

from ..models import AccountRole, BankStatement, BankStatementLine
from .posting import EntrySpec, Line, post_entries


@atomic_service
def confirm_statement(statement: BankStatement, *, by=None) -> BankStatement:
    """Post one entry per unmatched line in the statement's journal and mark it
    confirmed; refuses (posting nothing) a statement already confirmed or a line
    in a locked period."""
    statement = (
        BankStatement.objects.select_for_update(of=("self",))
        .select_related("journal", "company")
        .get(pk=statement.pk)
    )
    if statement.status != BankStatement.Status.DRAFT:
        raise TransitionNotAllowed(f"Statement {statement.name} is already confirmed.")
    lines = list(statement.lines.filter(entry__isnull=True).order_by("sequence"))
    journal = statement.journal
    bank = {"account": journal.default_account_id} if journal.default_account_id else {}
    bank = bank or {"role": AccountRole.BANK}
    specs = []
    for line in lines:
        money_in, money_out = max(line.amount, 0), max(-line.amount, 0)
        label = " ".join(p for p in (line.counterparty, line.reference, line.label) if p)[:200]
        specs.append(
            EntrySpec(
                journal=journal,
                date=line.date,
                ref=f"{statement.name}/{line.sequence}: {label}"[:200],
                source=line,
                lines=[
                    Line(**bank, debit=money_in, credit=money_out, label=label),
                    Line(role=AccountRole.SUSPENSE, debit=money_out, credit=money_in, label=label),
                ],
            )
        )
    entries = post_entries(statement.company, specs, by=by) if specs else []
    for line, entry in zip(lines, entries, strict=True):
        line.entry = entry
    BankStatementLine.objects.bulk_update(lines, ["entry"], batch_size=1000)
    transition(statement, BankStatement.Status.CONFIRMED, by=by)
    return statement
