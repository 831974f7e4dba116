"""The promises of the books, as `keel check` verifies them (registered in apps.py).

Each check reads set-based: one grouped query per table, whatever the number of lines.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Q, Sum

from keel.core.invariants import Violation
from keel.core.models import Company, Sequence
from keel.core.money import format_exact
from keel.parties.models import Party

from .models import Account, AccountRole, JournalEntry, JournalLine, Period
from .selectors import balance_differences, first_broken_link
from .selectors.invoices import control_differences

ZERO = Decimal(0)


def entries_balance(company: Company) -> list[Violation]:
    """Every posted entry balances: its debits equal its credits."""
    rows = (
        JournalLine.objects.filter(company_id=company.pk, entry__state=JournalEntry.State.POSTED)
        .values("entry_id", "entry__number")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .filter(~Q(debit=F("credit")))
        .order_by("entry_id")
    )
    money = _money(company)
    return [
        Violation(
            f"entry {row['entry__number']}",
            f"debits {money(row['debit'])} ≠ credits {money(row['credit'])}",
            {"entry_id": row["entry_id"], "debit": row["debit"], "credit": row["credit"]},
        )
        for row in rows
    ]


def balances_match_lines(company: Company) -> list[Violation]:
    """The maintained balances (per account × period, and per party) equal the sums of
    the posted lines."""
    differences = balance_differences(company.pk)
    if not differences:
        return []
    accounts = dict(Account.objects.filter(company=company).values_list("pk", "code"))
    periods = {p.pk: f"{p.start:%Y-%m}" for p in Period.objects.filter(company=company)}
    money = _money(company)
    found = []
    for d in differences:
        party = f" party #{d.party_id}" if d.party_id else ""
        found.append(
            Violation(
                f"{d.kind} balance of {accounts.get(d.account_id, d.account_id)}{party} "
                f"in {periods.get(d.period_id, d.period_id)}",
                f"stored debit {money(d.stored_debit)} credit {money(d.stored_credit)}, "
                f"the lines sum to debit {money(d.expected_debit)} "
                f"credit {money(d.expected_credit)}",
                {
                    "kind": d.kind,
                    "account_id": d.account_id,
                    "party_id": d.party_id,
                    "period_id": d.period_id,
                    "stored": [d.stored_debit, d.stored_credit],
                    "lines": [d.expected_debit, d.expected_credit],
                },
            )
        )
    return found


def control_accounts_match_open_items(company: Company) -> list[Violation]:
    """On the receivable and payable accounts, every party's balance equals the sum of
    its open items (what is still due to or from it)."""
    money = _money(company)
    found = []
    for role in (AccountRole.RECEIVABLE, AccountRole.PAYABLE):
        differences = control_differences(company.pk, role)
        names = dict(Party.objects.filter(pk__in=differences).values_list("pk", "name"))
        found += [
            Violation(
                f"{AccountRole(role).label.lower()} of {names.get(party, f'party #{party}')}",
                f"the balance is {money(balance)} but the open items sum to {money(items)}",
                {"role": role, "party_id": party, "balance": balance, "open_items": items},
            )
            for party, (balance, items) in sorted(differences.items())
        ]
    return found


def hash_chain_intact(company: Company) -> list[Violation]:
    """The hash chain of posted entries is intact: no entry altered, removed or added."""
    broken, checked = first_broken_link(company.pk)
    if broken is None:
        return []
    return [
        Violation(
            f"entry {broken.number or '-'} (chain #{broken.chain_index})",
            f"{broken.reason}; {checked} entries before it are intact",
            {"entry_id": broken.entry_id, "chain_index": broken.chain_index, "intact": checked},
        )
    ]


def entry_numbers(sequence: Sequence) -> list[str]:
    """The numbers of the entries of the journal that draws from `sequence`."""
    journal_id = int(sequence.key.rsplit(".", 1)[1])
    return list(
        JournalEntry.objects.filter(
            journal_id=journal_id, number__startswith=sequence.head
        ).values_list("number", flat=True)
    )


def _money(company: Company):
    return lambda amount: format_exact(amount, company.currency)
