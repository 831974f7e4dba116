"""The posting engine: the one way entries reach the ledger.

Other domains call `post_entry` (or `post_entries` for a batch) with lines
that name an account or a role; the engine refuses anything that would not
balance or that falls in a locked period, numbers the entry gaplessly in its
journal and fiscal year, chains it to the previous entry by hash and updates
the maintained balances, all in one transaction. Corrections are reversals.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from keel.core.batching import collector_paused
from keel.core.bulk_insert import columns, insert_returning_ids, insert_rows, prepare
from keel.core.events import publish, publish_many
from keel.core.models import Company, Sequence
from keel.core.money import format_money, quantum, to_decimal
from keel.core.numbering import ensure_sequence, next_number
from keel.core.transactions import atomic_service
from keel.parties.models import Party

from ..errors import (
    AlreadyReversed,
    EmptyEntry,
    InactiveAccount,
    InvalidLine,
    PeriodLocked,
    RoleNotConfigured,
)
from ..events import EntryPosted, EntryReversed
from ..fields import SCALE, to_units
from ..hashing import chain_hash
from ..models import Account, AccountRole, Journal, JournalEntry, JournalLine, Tax
from ..selectors.chart import lock_date_for, periods_for_dates
from .balances import apply_lines, lock_ledger

ZERO = Decimal(0)
MAX_UNITS = 2**63 - 1  # a MoneyField is a 64-bit integer of units


@dataclass
class Line:
    """One line to post: an account (or a role resolved from the chart), a debit or a
    credit in the company's currency, and optionally the amount in another currency."""

    account: Account | int | None = None
    role: str | None = None
    debit: Decimal | int | str = ZERO
    credit: Decimal | int | str = ZERO
    party: Party | int | None = None
    label: str = ""
    currency: str | None = None
    amount_currency: Decimal | int | str | None = None
    analytic_tags: list[str] = field(default_factory=list)
    tax: Tax | int | None = None
    tax_base_amount: Decimal | int | str = ZERO
    due_date: dt.date | None = None


@dataclass
class EntrySpec:
    """One entry of a batch given to `post_entries`."""

    journal: Journal
    date: dt.date
    lines: list[Line | dict]
    ref: str = ""
    source: object | None = None
    reverses_id: int | None = None


def _id(value) -> int | None:
    # Ids come as ints or as model instances; ints (and None) skip the attribute look-up.
    return value if value is None or type(value) is int else getattr(value, "pk", value)


def _line(raw: Line | dict, position: int) -> Line:
    if isinstance(raw, Line):
        return raw
    try:
        return Line(**raw)
    except TypeError as error:
        raise InvalidLine(f"Line {position}: {error}.", field=f"lines[{position}]") from error


def _amount(value, position: int, name: str) -> Decimal:
    try:
        return to_decimal(value if value is not None else ZERO)
    except (TypeError, ArithmeticError, ValueError) as error:
        raise InvalidLine(
            f"Line {position}: {name} '{value}' is not an exact amount (use a string or Decimal).",
            field=f"lines[{position}].{name}",
        ) from error


def _units_of(value: Decimal, position: int, step: Decimal, currency: str, where: str) -> int:
    """The stored units (1/10,000) of a debit or credit; refuses more decimals than the
    currency has (1.505 in EUR) and more than the column holds."""
    if not value:
        return 0
    try:
        exact = value.quantize(step) == value
        units = int(value.scaleb(SCALE))
    except ArithmeticError:  # more digits than the context's precision
        exact, units = True, MAX_UNITS + 1
    if not exact:
        raise InvalidLine(
            f"Line {position}: {value} has more decimals than {currency} allows.", field=where
        )
    if units > MAX_UNITS:
        raise InvalidLine(f"Line {position}: {value} is too large.", field=where)
    return units


def _stored_units(value: Decimal, position: int, where: str) -> int:
    """The stored units of an amount in another currency or a tax base."""
    try:
        units = to_units(value)
    except (ValueError, ArithmeticError) as error:
        raise InvalidLine(f"Line {position}: {error}", field=where) from error
    if abs(units) > MAX_UNITS:
        raise InvalidLine(f"Line {position}: {value} is too large.", field=where)
    return units


class _Prepared:
    """An entry checked and resolved, ready to write."""

    def __init__(self, spec: EntrySpec, lines: list[dict], total: Decimal):
        self.spec, self.lines, self.total = spec, lines, total


def _prepare(company: Company, specs: list[EntrySpec]) -> list[_Prepared]:
    """Check every line of every entry and resolve roles; raise on the first fault."""
    parsed = [[_line(raw, i) for i, raw in enumerate(spec.lines, 1)] for spec in specs]
    account_ids = {_id(ln.account) for lines in parsed for ln in lines if ln.account is not None}
    roles = {ln.role for lines in parsed for ln in lines if ln.account is None and ln.role}
    accounts = Account.objects.filter(company=company).filter(
        Q(pk__in=account_ids) | Q(role__in=roles, active=True)
    )
    by_id = {a.pk: a for a in accounts}
    by_role = {a.role: a for a in by_id.values() if a.role and a.active}
    party_ids = {_id(ln.party) for lines in parsed for ln in lines if ln.party is not None}
    known_parties = set(
        Party.objects.filter(company=company, pk__in=party_ids).values_list("pk", flat=True)
    )
    tax_ids = {_id(ln.tax) for lines in parsed for ln in lines if ln.tax is not None}
    known_taxes = set(
        Tax.objects.filter(company=company, pk__in=tax_ids).values_list("pk", flat=True)
    )
    currency = company.currency
    step = quantum(currency)
    prepared = []
    for spec, lines in zip(specs, parsed, strict=True):
        journal = spec.journal
        if journal.company_id != company.pk:
            raise InvalidLine(
                f"Journal {journal.code} belongs to another company.", field="journal"
            )
        if not journal.active:
            raise InactiveAccount(f"Journal {journal.code} is archived.", field="journal")
        if not lines:
            raise EmptyEntry("An entry needs at least one line.", field="lines")
        rows, debits, credits = [], ZERO, ZERO
        for position, ln in enumerate(lines, 1):
            where = f"lines[{position}]"
            account = _resolve_account(ln, position, by_id, by_role)
            debit, credit = ln.debit, ln.credit
            # Most callers pass Decimals; only other values need converting and checking.
            if type(debit) is not Decimal:
                debit = _amount(debit, position, "debit")
            if type(credit) is not Decimal:
                credit = _amount(credit, position, "credit")
            if debit < 0 or credit < 0:
                raise InvalidLine(
                    f"Line {position}: amounts must not be negative (got debit {debit}, "
                    f"credit {credit}); put the amount on the other side instead.",
                    field=where,
                )
            if debit and credit:
                raise InvalidLine(
                    f"Line {position} has both a debit ({debit}) and a credit ({credit}); "
                    "use two lines.",
                    field=where,
                )
            debit_units = _units_of(debit, position, step, currency, where)
            credit_units = _units_of(credit, position, step, currency, where)
            line_currency = (ln.currency or currency).upper()
            if ln.amount_currency is None:
                if line_currency != currency:
                    raise InvalidLine(
                        f"Line {position} is in {line_currency}: give its amount_currency.",
                        field=f"{where}.amount_currency",
                    )
                amount_currency = debit - credit
                amount_currency_units = debit_units - credit_units
            else:
                amount_currency = _amount(ln.amount_currency, position, "amount_currency")
                if (debit and amount_currency < 0) or (credit and amount_currency > 0):
                    raise InvalidLine(
                        f"Line {position}: amount_currency must have the sign of the line "
                        "(positive on a debit, negative on a credit).",
                        field=f"{where}.amount_currency",
                    )
                amount_currency_units = _stored_units(amount_currency, position, where)
            party_id = _id(ln.party)
            if party_id is not None and party_id not in known_parties:
                raise InvalidLine(f"Line {position}: unknown party {party_id}.", field=where)
            tax_id = _id(ln.tax)
            if tax_id is not None and tax_id not in known_taxes:
                raise InvalidLine(f"Line {position}: unknown tax {tax_id}.", field=where)
            tags = ln.analytic_tags or []
            if tags and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
                raise InvalidLine(
                    f"Line {position}: analytic_tags must be a list of strings.", field=where
                )
            tax_base = ln.tax_base_amount
            if tax_base is ZERO:
                tax_base_units = 0
            else:
                tax_base = _amount(tax_base, position, "tax_base_amount")
                tax_base_units = _stored_units(tax_base, position, where)
            debits += debit
            credits += credit
            rows.append(
                {
                    "sequence": position,
                    "account": account,
                    "account_id": account.pk,
                    "party_id": party_id,
                    "debit": debit,
                    "credit": credit,
                    "currency": line_currency,
                    "amount_currency": amount_currency,
                    "tax_id": tax_id,
                    "tax_base_amount": tax_base,
                    "label": ln.label or "",
                    "analytic_tags": tags,
                    "due_date": ln.due_date,
                    # What the columns store (MoneyField units), computed once here.
                    "units": (debit_units, credit_units, amount_currency_units, tax_base_units),
                }
            )
        if debits == ZERO and credits == ZERO:
            raise EmptyEntry("An entry needs at least one line with an amount.", field="lines")
        if debits != credits:
            raise_unbalanced(debits, credits, currency)
        prepared.append(_Prepared(spec, rows, debits))
    return prepared


def raise_unbalanced(debits: Decimal, credits: Decimal, currency: str):
    from ..errors import UnbalancedEntry

    raise UnbalancedEntry(
        f"The entry does not balance: debits {format_money(debits, currency)}, credits "
        f"{format_money(credits, currency)}, "
        f"difference {format_money(debits - credits, currency)}.",
        field="lines",
    )


def _resolve_account(ln: Line, position: int, by_id: dict, by_role: dict) -> Account:
    if ln.account is not None:
        account = by_id.get(_id(ln.account))
        if account is None:
            raise InvalidLine(
                f"Line {position}: account {_id(ln.account)} is not in this company's chart.",
                field=f"lines[{position}].account",
            )
        if not account.active:
            raise InactiveAccount(
                f"Line {position}: account {account} is archived; post to an active account.",
                field=f"lines[{position}].account",
            )
        return account
    if not ln.role:
        raise InvalidLine(
            f"Line {position} names neither an account nor a role.", field=f"lines[{position}]"
        )
    account = by_role.get(ln.role)
    if account is None:
        label = AccountRole(ln.role).label if ln.role in AccountRole.values else ln.role
        raise RoleNotConfigured(
            f"Line {position}: no active account has the role '{label}'; set it in the chart.",
            field=f"lines[{position}].role",
        )
    return account


def _check_lock(company: Company, dates: set[dt.date], by) -> None:
    locked_until = lock_date_for(company, by)
    if locked_until is None:
        return
    locked = sorted(day for day in dates if day <= locked_until)
    if locked:
        raise PeriodLocked(
            f"Posting on {locked[0].isoformat()} is refused: the books are locked up to "
            f"{locked_until.isoformat()}. Post in an open period or ask an adviser.",
            field="date",
        )


def _draw_numbers(company: Company, journal: Journal, day: dt.date, count: int) -> list[str]:
    """`count` consecutive numbers of the journal's series for the year of `day`.

    One number uses core's `next_number`; a batch locks the same series row once
    and takes a block, so a batch of a thousand entries costs one lock, not a
    thousand, and the series stays gapless (the block returns on rollback)."""
    key, prefix = journal.sequence_key, journal.sequence_prefix
    if count == 1:
        return [next_number(company, key, day, prefix=prefix)]
    fiscal_year = company.fiscal_year_of(day)
    sequence = ensure_sequence(company, key, fiscal_year, prefix=prefix)
    locked = Sequence.objects.select_for_update().get(pk=sequence.pk)
    first = locked.next_value
    Sequence.objects.filter(pk=locked.pk).update(next_value=F("next_value") + count)
    return [locked.format(first + i) for i in range(count)]


_LINE_COLUMNS = [  # the order of the INSERT / COPY
    "entry_id",
    "company_id",
    "sequence",
    "date",
    "period_id",
    "account_id",
    "party_id",
    "label",
    "debit",
    "credit",
    "currency",
    "amount_currency",
    "analytic_tags",
    "tax_id",
    "tax_base_amount",
    "due_date",
]


def _line_fields() -> list:
    fields = {f.attname: f for f in JournalLine._meta.concrete_fields}
    return [fields[name] for name in _LINE_COLUMNS]


def _line_values(company_id: int, entries: list[tuple[int, dict, _Prepared]]) -> list[list]:
    """The lines' column values as the database stores them, converted here rather
    than field by field through the ORM: amounts as MoneyField's integer units,
    each distinct date and tag list converted once."""
    adapt_date = connection.ops.adapt_datefield_value
    dates: dict = {None: None}
    tags: dict = {}
    values = []
    for entry_id, row, item in entries:
        day = row["date"]
        if day not in dates:
            dates[day] = adapt_date(day)
        date, period_id = dates[day], row["period_id"]
        for line in item.lines:
            due = line["due_date"]
            if due not in dates:
                dates[due] = adapt_date(due)
            key = tuple(line["analytic_tags"])
            if key not in tags:
                tags[key] = json.dumps(list(key))
            debit, credit, amount_currency, tax_base = line["units"]
            values.append(
                [
                    entry_id,
                    company_id,
                    line["sequence"],
                    date,
                    period_id,
                    line["account_id"],
                    line["party_id"],
                    line["label"],
                    debit,
                    credit,
                    line["currency"],
                    amount_currency,
                    tags[key],
                    line["tax_id"],
                    tax_base,
                    dates[due],
                ]
            )
    return values


def _model_name(content_type_id: int | None) -> str | None:
    if content_type_id is None:
        return None
    return ContentType.objects.get_for_id(content_type_id).model


def post_entries(company: Company, specs: list[EntrySpec], *, by=None) -> list[JournalEntry]:
    """Post a batch of entries in one transaction: all of them or none."""
    with collector_paused(sum(len(spec.lines) for spec in specs)):
        return _post_entries(company, specs, by=by)


@atomic_service
def _post_entries(company: Company, specs: list[EntrySpec], *, by=None) -> list[JournalEntry]:
    prepared = _prepare(company, specs)
    dates = {p.spec.date for p in prepared}
    _check_lock(company, dates, by)
    periods = periods_for_dates(company.pk, dates)
    head = lock_ledger(company.pk)
    # Numbers: per journal × fiscal year, in the order the entries were given.
    series: dict[tuple[int, int], list[_Prepared]] = defaultdict(list)
    for item in prepared:
        series[(item.spec.journal.pk, company.fiscal_year_of(item.spec.date))].append(item)
    numbers: dict[int, str] = {}
    for items in series.values():
        drawn = _draw_numbers(company, items[0].spec.journal, items[0].spec.date, len(items))
        for item, number in zip(items, drawn, strict=True):
            numbers[id(item)] = number
    now = timezone.now()
    posted_by_id = by.pk if getattr(by, "pk", None) else None
    previous_hash, index = head.last_hash, head.last_index
    entry_rows = []
    for item in prepared:
        spec = item.spec
        index += 1
        source_type = ContentType.objects.get_for_model(spec.source) if spec.source else None
        facts = {
            "company_id": company.pk,
            "journal_id": spec.journal.pk,
            "number": numbers[id(item)],
            "date": spec.date,
            "ref": spec.ref or "",
            "reverses_id": spec.reverses_id,
            "source_type_id": source_type.pk if source_type else None,
            "source_id": str(spec.source.pk) if spec.source else "",
            "chain_index": index,
        }
        digest = chain_hash(previous_hash, facts, item.lines)
        entry_rows.append(
            {
                **facts,
                "period_id": periods[spec.date].pk,
                # Written posted: the ledger head, moved past them below, seals them.
                "state": JournalEntry.State.POSTED,
                "previous_hash": previous_hash,
                "hash": digest,
                "posted_at": now,
                "posted_by_id": posted_by_id,
            }
        )
        previous_hash = digest
    # The rows go in through core's bulk insert (COPY on PostgreSQL): at a million
    # lines the ORM's per-value preparation would cost more than the database.
    fields = columns(JournalEntry)
    entry_ids = insert_returning_ids(JournalEntry, fields, prepare(entry_rows, fields))
    written = list(zip(entry_ids, entry_rows, prepared, strict=True))
    insert_rows(JournalLine, _line_fields(), _line_values(company.pk, written))
    # Moving the head past the new entries seals them: from here the database refuses
    # any further line on them (migration 0010), as it refuses changes to posted rows.
    type(head).objects.filter(pk=head.pk).update(last_index=index, last_hash=previous_hash)
    party_accounts = {
        line["account_id"]
        for item in prepared
        for line in item.lines
        if line["account"].party_balances
    }
    apply_lines(
        company.pk,
        ((row["period_id"], line) for _, row, item in written for line in item.lines),
        party_accounts,
    )
    entries, posted = [], []
    # The entries as .get() would load them (positional values, no query), with
    # their period at hand: building them by keyword costs more than posting them.
    names = [f.attname for f in JournalEntry._meta.concrete_fields]
    period_field = JournalEntry._meta.get_field("period")
    for entry_id, row, item in zip(entry_ids, entry_rows, prepared, strict=True):
        values = {**row, "id": entry_id}
        entry = JournalEntry.from_db(connection.alias, names, [values[n] for n in names])
        period_field.set_cached_value(entry, periods[row["date"]])
        entries.append(entry)
        posted.append(
            EntryPosted(
                entry_id=entry_id,
                number=row["number"],
                journal=item.spec.journal.code,
                date=row["date"].isoformat(),
                amount=str(item.total),
                source_type=_model_name(row["source_type_id"]),
                source_id=row["source_id"],
            )
        )
    publish_many(posted, company=company)
    return entries


def post_entry(
    company: Company,
    journal: Journal,
    date: dt.date,
    lines: list[Line | dict],
    ref: str = "",
    by=None,
    source=None,
) -> JournalEntry:
    """Post one balanced entry and return it, numbered and chained; refuse with a
    DomainError (and write nothing) if it is empty, unbalanced, in a locked period,
    or uses an archived account."""
    spec = EntrySpec(journal=journal, date=date, lines=lines, ref=ref, source=source)
    return post_entries(company, [spec], by=by)[0]


@atomic_service
def reverse_entry(entry: JournalEntry, date: dt.date, by=None, reason: str = "") -> JournalEntry:
    """Post the mirror of `entry` on `date` (debits become credits): the only way to
    correct a posted entry. An entry is reversed at most once."""
    entry = JournalEntry.objects.select_related("company", "journal").get(pk=entry.pk)
    lock_ledger(entry.company_id)  # serialises with a concurrent reversal of the same entry
    if JournalEntry.objects.filter(reverses_id=entry.pk).exists():
        raise AlreadyReversed(f"Entry {entry.number} is already reversed.")
    if not reason.strip():
        raise InvalidLine("Say why the entry is reversed.", field="reason")
    lines = [
        Line(
            account=line.account_id,
            party=line.party_id,
            debit=line.credit,
            credit=line.debit,
            currency=line.currency,
            amount_currency=-line.amount_currency,
            analytic_tags=list(line.analytic_tags),
            tax=line.tax_id,
            tax_base_amount=-line.tax_base_amount,
            label=line.label,
            due_date=line.due_date,
        )
        for line in entry.lines.order_by("sequence")
    ]
    spec = EntrySpec(
        journal=entry.journal,
        date=date,
        lines=lines,
        ref=f"Reversal of {entry.number}: {reason.strip()}"[:200],
        source=entry.source,
        reverses_id=entry.pk,
    )
    try:
        reversal = post_entries(entry.company, [spec], by=by)[0]
    except InactiveAccount as error:
        raise InactiveAccount(
            f"Entry {entry.number} cannot be reversed: {error.detail}", field=error.field
        ) from error
    publish(
        EntryReversed(
            entry_id=entry.pk,
            number=entry.number,
            reversal_id=reversal.pk,
            reversal_number=reversal.number,
            reason=reason.strip(),
        ),
        company=entry.company,
    )
    return reversal


__all__ = ["EntrySpec", "Line", "RoleNotConfigured", "post_entries", "post_entry", "reverse_entry"]
