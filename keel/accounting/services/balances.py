"""Maintained balances: applied set-based in the posting transaction, rebuilt on demand."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction

from keel.core.models import Company
from keel.core.transactions import atomic_service

from ..models import AccountBalance, JournalLine, LedgerHead, PartyBalance
from ..selectors.ledger import BalanceDifference, balance_differences, expected_balances

ZERO = Decimal(0)


def lock_ledger(company_id: int) -> LedgerHead:
    """Lock the company's ledger head (created on first use). Every posting and
    rebuild takes it first, so balance rows and chain links change one
    transaction at a time and no two transactions wait on each other in a cycle."""
    try:
        return LedgerHead.objects.select_for_update().get(company_id=company_id)
    except LedgerHead.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            LedgerHead.objects.create(company_id=company_id)
    except IntegrityError:
        pass  # another transaction created it first
    return LedgerHead.objects.select_for_update().get(company_id=company_id)


def _sum(deltas: dict, key, debit: Decimal, credit: Decimal) -> None:
    d, c = deltas.get(key, (ZERO, ZERO))
    deltas[key] = (d + debit, c + credit)


def apply_lines(company_id: int, lines: Iterable[JournalLine], party_accounts: set[int]) -> None:
    """Add the lines' debits and credits to the balance rows, set-based: one locking
    read, one bulk insert of the missing rows, one bulk update per table.

    The caller holds the ledger lock (`lock_ledger`), so no other transaction
    creates or changes these rows meanwhile; the row locks repeat that promise
    for any writer that forgets it, taken in primary-key order.
    """
    per_account: dict = {}
    per_party: dict = {}
    for line in lines:
        _sum(per_account, (line.account_id, line.period_id), line.debit, line.credit)
        if line.party_id and line.account_id in party_accounts:
            key = (line.account_id, line.party_id, line.period_id)
            _sum(per_party, key, line.debit, line.credit)
    _apply(AccountBalance, company_id, per_account, ("account_id", "period_id"))
    if per_party:
        _apply(PartyBalance, company_id, per_party, ("account_id", "party_id", "period_id"))


def _apply(model, company_id: int, deltas: dict, key_fields: tuple[str, ...]) -> None:
    if not deltas:
        return
    filters = {f"{field}__in": {key[i] for key in deltas} for i, field in enumerate(key_fields)}
    existing = {
        tuple(getattr(row, f) for f in key_fields): row
        for row in model.objects.select_for_update()
        .filter(company_id=company_id, **filters)
        .order_by("pk")
    }
    changed, created = [], []
    for key, (debit, credit) in deltas.items():
        row = existing.get(key)
        if row is None:
            created.append(
                model(
                    company_id=company_id,
                    debit=debit,
                    credit=credit,
                    **dict(zip(key_fields, key, strict=True)),
                )
            )
        else:
            row.debit += debit
            row.credit += credit
            changed.append(row)
    if created:
        model.objects.bulk_create(created, batch_size=500)
    if changed:
        model.objects.bulk_update(changed, ["debit", "credit"], batch_size=500)


@atomic_service
def rebuild_balances(company: Company, *, check_only: bool = False) -> list[BalanceDifference]:
    """Compare every maintained balance with the sums of the lines; unless
    `check_only`, rewrite the balances from the lines. Returns the differences found."""
    lock_ledger(company.pk)
    differences = balance_differences(company.pk)
    if check_only or not differences:
        return differences
    per_account, per_party = expected_balances(company.pk)
    AccountBalance.objects.filter(company=company).delete()
    PartyBalance.objects.filter(company=company).delete()
    AccountBalance.objects.bulk_create(
        [
            AccountBalance(company=company, account_id=a, period_id=p, debit=d, credit=c)
            for (a, p), (d, c) in per_account.items()
        ],
        batch_size=1000,
    )
    PartyBalance.objects.bulk_create(
        [
            PartyBalance(
                company=company, account_id=a, party_id=party, period_id=p, debit=d, credit=c
            )
            for (a, party, p), (d, c) in per_party.items()
        ],
        batch_size=1000,
    )
    return differences
