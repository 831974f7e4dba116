"""Set up the books: the chart (generic or imported from CSV), journals, fiscal
years with monthly periods, lock dates and the tax rounding setting."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from pathlib import Path

from keel.core.models import Company
from keel.core.transactions import atomic_service

from ..errors import ChartImportError
from ..models import (
    PARTY_ROLES,
    Account,
    AccountingSettings,
    AccountRole,
    AccountType,
    FiscalYear,
    Journal,
    JournalLine,
    Period,
)

GENERIC_CHART = Path(__file__).resolve().parent.parent / "charts" / "generic.csv"

DEFAULT_JOURNALS = [
    # code, name, kind, prefix, role of the default account
    ("SAL", "Customer invoices", Journal.Kind.SALES, "INV/", AccountRole.REVENUE),
    ("PUR", "Vendor bills", Journal.Kind.PURCHASES, "BILL/", AccountRole.EXPENSE),
    ("BNK", "Bank", Journal.Kind.BANK, "BNK/", AccountRole.BANK),
    ("CSH", "Cash", Journal.Kind.CASH, "CSH/", AccountRole.CASH),
    ("GEN", "Miscellaneous operations", Journal.Kind.GENERAL, "GEN/", None),
]


def _parse_chart(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "type"} - set(reader.fieldnames or [])
    if missing:
        raise ChartImportError(
            f"The chart file lacks the column(s) {', '.join(sorted(missing))}; "
            "expected code,name,type[,role]."
        )
    rows, codes, roles = [], set(), set()
    for number, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        name = (raw.get("name") or "").strip()
        kind = (raw.get("type") or "").strip().lower()
        role = (raw.get("role") or "").strip().lower()
        where = f"Line {number}"
        if not code or not name:
            raise ChartImportError(f"{where}: code and name are required.")
        if kind not in AccountType.values:
            raise ChartImportError(
                f"{where}: type '{kind}' is not one of {', '.join(AccountType.values)}."
            )
        if role and role not in AccountRole.values:
            raise ChartImportError(f"{where}: role '{role}' is unknown.")
        if code in codes:
            raise ChartImportError(f"{where}: account {code} appears twice.")
        if role and role in roles:
            raise ChartImportError(f"{where}: role '{role}' is given to two accounts.")
        codes.add(code)
        if role:
            roles.add(role)
        rows.append({"code": code, "name": name, "type": kind, "role": role})
    if not rows:
        raise ChartImportError("The chart file has no accounts.")
    return rows


@atomic_service
def import_chart(company: Company, text: str, *, by=None) -> dict[str, int]:
    """Create or update accounts from CSV text (code,name,type[,role]); all or nothing.

    A role named in the file moves to that account. An account that already has
    posted lines keeps its type (its history was reported under it).
    """
    rows = _parse_chart(text)
    existing = {a.code: a for a in Account.objects.filter(company=company)}
    used = set(
        JournalLine.objects.filter(company=company).values_list("account_id", flat=True).distinct()
    )
    new_roles = {row["role"] for row in rows if row["role"]}
    role_in_file = {row["code"]: row["role"] for row in rows}
    for account in existing.values():
        # A role the file gives to another account is freed first (one account per role).
        if account.role in new_roles and role_in_file.get(account.code) != account.role:
            account.role = ""
            account.updated_by = by
            account.save(update_fields=["role", "updated_by", "updated_at"])
    created = updated = 0
    for row in rows:
        account = existing.get(row["code"])
        if account is None:
            account = Account(company=company, code=row["code"], created_by=by)
            created += 1
        else:
            if account.pk in used and account.type != row["type"]:
                raise ChartImportError(
                    f"Account {account.code} has posted lines; its type stays {account.type}."
                )
            updated += 1
        account.name, account.type, account.role = row["name"], row["type"], row["role"]
        account.party_balances = account.party_balances or row["role"] in PARTY_ROLES
        account.updated_by = by
        account.save()
    return {"created": created, "updated": updated}


def load_generic_chart(company: Company, *, by=None) -> dict[str, int]:
    return import_chart(company, GENERIC_CHART.read_text(encoding="utf-8"), by=by)


@atomic_service
def ensure_default_journals(company: Company, *, by=None) -> list[Journal]:
    """The five standard journals (sales, purchases, bank, cash, general), once."""
    journals = []
    for code, name, kind, prefix, role in DEFAULT_JOURNALS:
        account = (
            Account.objects.filter(company=company, role=role, active=True).first()
            if role
            else None
        )
        journal, _ = Journal.objects.get_or_create(
            company=company,
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "sequence_prefix": prefix,
                "default_account": account,
                "created_by": by,
            },
        )
        journals.append(journal)
    return journals


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    return dt.date(day.year + month0 // 12, month0 % 12 + 1, 1)


# A fiscal year may start in the calendar year before the one naming it; dates stop at 9999.
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1901, 9998


@atomic_service
def ensure_fiscal_year(company: Company, year: int, *, by=None) -> FiscalYear:
    """The fiscal year `year` (named by the calendar year it ends in) with its twelve
    monthly periods, created once; a second call returns the existing one."""
    if not FIRST_FISCAL_YEAR <= year <= LAST_FISCAL_YEAR:
        raise ChartImportError(
            f"A fiscal year is named by a year from {FIRST_FISCAL_YEAR} to {LAST_FISCAL_YEAR}.",
            field="year",
        )
    found = FiscalYear.objects.filter(company=company, year=year).first()
    if found:
        return found
    start_month = company.fiscal_year_start_month
    start = dt.date(year if start_month == 1 else year - 1, start_month, 1)
    end = _add_months(start, 12) - dt.timedelta(days=1)
    fiscal_year = FiscalYear.objects.create(
        company=company, year=year, start=start, end=end, created_by=by
    )
    periods = []
    for number in range(1, 13):
        first = _add_months(start, number - 1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        periods.append(
            Period(
                company=company,
                fiscal_year=fiscal_year,
                number=number,
                start=first,
                end=last,
                created_by=by,
            )
        )
    Period.objects.bulk_create(periods)
    return fiscal_year


def setup_books(company: Company, *, on_date: dt.date, by=None) -> None:
    """Generic chart, standard journals and the fiscal year of `on_date`."""
    if not Account.objects.filter(company=company).exists():
        load_generic_chart(company, by=by)
    ensure_default_journals(company, by=by)
    ensure_fiscal_year(company, company.fiscal_year_of(on_date), by=by)


@atomic_service
def update_settings(
    company: Company,
    *,
    lock_date: dt.date | None = None,
    adviser_lock_date: dt.date | None = None,
    tax_rounding: str | None = None,
    by=None,
) -> AccountingSettings:
    """Set the lock dates and the tax rounding rule of the company."""
    from ..errors import InvalidLine

    settings, _ = AccountingSettings.objects.select_for_update().get_or_create(company=company)
    if tax_rounding is not None:
        if tax_rounding not in AccountingSettings.TaxRounding.values:
            raise InvalidLine(f"Unknown tax rounding '{tax_rounding}'.", field="tax_rounding")
        settings.tax_rounding = tax_rounding
    settings.lock_date = lock_date
    settings.adviser_lock_date = adviser_lock_date
    settings.save()
    return settings


@atomic_service
def save_account(account: Account, *, by=None) -> Account:
    """Create or change an account; an account with posted lines keeps its type."""
    if account.pk:
        stored = Account.objects.select_for_update().get(pk=account.pk)
        if (
            stored.type != account.type
            and JournalLine.objects.filter(account_id=account.pk).exists()
        ):
            raise ChartImportError(
                f"Account {stored.code} has posted lines; "
                f"its type stays {stored.get_type_display()}.",
                field="type",
            )
    else:
        account.created_by = by
    if _taken(account, code=account.code):
        raise ChartImportError(
            f"Another account already has the code {account.code}.", field="code"
        )
    if account.role and _taken(account, role=account.role):
        raise ChartImportError(
            f"Another account already has the role '{account.get_role_display()}'.", field="role"
        )
    account.party_balances = account.party_balances or account.role in PARTY_ROLES
    account.updated_by = by
    account.save()
    return account


def _taken(record, **value) -> bool:
    """Whether another record of the company already holds `value` (a code, a role)."""
    return (
        type(record)
        .objects.filter(company_id=record.company_id, **value)
        .exclude(pk=record.pk)
        .exists()
    )


@atomic_service
def save_journal(journal: Journal, *, by=None) -> Journal:
    """Create or change a journal; its code is unique in the company."""
    if _taken(journal, code=journal.code):
        raise ChartImportError(
            f"Another journal already has the code {journal.code}.", field="code"
        )
    if not journal.pk:
        journal.created_by = by
    journal.updated_by = by
    journal.save()
    return journal
