"""Reads of the chart, journals, periods and settings."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from keel.core.models import Company
from keel.core.selectors import default_company
from keel.users.roles import Role

from ..errors import NoOpenPeriod, RoleNotConfigured
from ..models import (
    Account,
    AccountingSettings,
    AccountRole,
    FiscalYear,
    Journal,
    Period,
    Tax,
    TaxGroup,
)

ADVISER_ROLES = (str(Role.ACCOUNTANT),)


def company_id_of(user) -> int | None:
    """The company a user works in (their own, else the installation's first)."""
    if getattr(user, "company_id", None):
        return user.company_id
    company = default_company()
    return company.pk if company else None


def accounts_of(company_id: int | None) -> QuerySet[Account]:
    return Account.objects.filter(company_id=company_id).order_by("code")


def journals_of(company_id: int | None) -> QuerySet[Journal]:
    return Journal.objects.filter(company_id=company_id).select_related("default_account")


def fiscal_years_of(company_id: int | None) -> QuerySet[FiscalYear]:
    return FiscalYear.objects.filter(company_id=company_id).order_by("-year")


def periods_of(company_id: int | None) -> QuerySet[Period]:
    return Period.objects.filter(company_id=company_id).select_related("fiscal_year")


def taxes_of(company_id: int | None) -> QuerySet[Tax]:
    return Tax.objects.filter(company_id=company_id)


def tax_groups_of(company_id: int | None) -> QuerySet[TaxGroup]:
    return TaxGroup.objects.filter(company_id=company_id).prefetch_related("taxes")


def account_for_role(company: Company | int, role: str) -> Account:
    """The active account configured for `role` (AccountRole) in the company's chart."""
    company_id = getattr(company, "pk", company)
    account = Account.objects.filter(company_id=company_id, role=role, active=True).first()
    if account is None:
        label = AccountRole(role).label if role in AccountRole.values else role
        raise RoleNotConfigured(
            f"No active account has the role '{label}'; set it on an account of the chart.",
            field="role",
        )
    return account


def accounting_settings(company: Company | int) -> AccountingSettings:
    """The company's settings, or the defaults (nothing locked, per-line rounding)."""
    company_id = getattr(company, "pk", company)
    found = AccountingSettings.objects.filter(company_id=company_id).first()
    return found or AccountingSettings(company_id=company_id)


def is_adviser(user) -> bool:
    """Advisers (Accountant role, superusers) may post up to the all-users lock date."""
    if user is None:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return user.groups.filter(name__in=ADVISER_ROLES).exists()


def lock_date_for(company: Company | int, user) -> dt.date | None:
    """The last locked day for `user`: postings on or before it are refused."""
    found = accounting_settings(company)
    dates = [found.lock_date]
    if not is_adviser(user):
        dates.append(found.adviser_lock_date)
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


def periods_for_dates(company_id: int, dates: set[dt.date]) -> dict[dt.date, Period]:
    """The period of each date, in one query; refuses a date no fiscal year covers."""
    if not dates:
        return {}
    periods = list(
        Period.objects.filter(
            company_id=company_id, start__lte=max(dates), end__gte=min(dates)
        ).order_by("start")
    )
    found: dict[dt.date, Period] = {}
    for day in dates:
        match = next((p for p in periods if p.start <= day <= p.end), None)
        if match is None:
            raise NoOpenPeriod(
                f"No fiscal period covers {day.isoformat()}; create the fiscal year first.",
                field="date",
            )
        found[day] = match
    return found
