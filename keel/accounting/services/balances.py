"""Maintained balances: applied set-based in the posting transaction, rebuilt on demand."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction

from keel.core.bulk_insert import pg_array
from keel.core.models import Company
from keel.core.transactions import atomic_service

from ..models import AccountBalance, LedgerHead, PartyBalance
from ..selectors.ledger import BalanceDifference, balance_differences, expected_balances


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


def apply_lines(
    company_id: int, lines: Iterable[tuple[int, dict]], party_accounts: set[int]
) -> None:
    """Add the lines' debits and credits ((period id, line) pairs, a line being a dict
    with account_id, party_id and `units`, the stored integers of debit and credit
    first) to the balance rows, set-based: one upsert per table.

    The caller holds the ledger lock (`lock_ledger`), so no other transaction
    changes these rows meanwhile; the upsert adds to a row that exists and
    creates the one that does not, without a read first.
    """
    per_account: dict = {}
    per_party: dict = {}
    for period_id, line in lines:
        debit, credit = line["units"][:2]
        account_id = line["account_id"]
        key = (account_id, period_id)
        d, c = per_account.get(key, (0, 0))
        per_account[key] = (d + debit, c + credit)
        if line["party_id"] and account_id in party_accounts:
            key = (account_id, line["party_id"], period_id)
            d, c = per_party.get(key, (0, 0))
            per_party[key] = (d + debit, c + credit)
    _upsert(AccountBalance, company_id, per_account, ("account_id", "period_id"))
    _upsert(PartyBalance, company_id, per_party, ("account_id", "party_id", "period_id"))


def _upsert(model, company_id: int, deltas: dict, key_fields: tuple[str, ...]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE adding the deltas (integer units) to the
    rows (SQLite ≥ 3.24 and PostgreSQL share the syntax)."""
    if not deltas:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ["company_id", *key_fields, "debit", "credit"]
    head = f"INSERT INTO {table} ({', '.join(qn(n) for n in names)}) "  # noqa: S608 (quoted names)
    tail = (
        f" ON CONFLICT ({', '.join(qn(n) for n in key_fields)}) DO UPDATE SET "
        f"debit = {table}.debit + EXCLUDED.debit, credit = {table}.credit + EXCLUDED.credit"
    )
    # A fixed order, so two writers that bypass the ledger lock still lock rows alike.
    rows = [[company_id, *key, debit, credit] for key, (debit, credit) in sorted(deltas.items())]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column: a short statement whatever the number of rows
            # (a long VALUES list costs more to send than to run).
            arrays = ", ".join(["%s::bigint[]"] * len(names))
            cursor.execute(
                head + f"SELECT * FROM unnest({arrays})" + tail,  # noqa: S608 (no user text)
                [pg_array(list(column)) for column in zip(*rows, strict=True)],
            )
            return
        row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
        per_statement = 5000 // len(names)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                head + "VALUES " + ", ".join([row_sql] * len(chunk)) + tail,
                [value for row in chunk for value in row],
            )


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
