"""Global search: accounts by code or name, entries by number."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from keel.core.search import SearchHit

from .selectors import accounts_of, company_id_of


def accounts(user, term: str, limit: int) -> list[SearchHit]:
    if not user.has_perm("accounting.view_account"):
        return []
    matches = accounts_of(company_id_of(user)).filter(
        Q(code__startswith=term) | Q(name__icontains=term)
    )[:limit]
    return [
        SearchHit(
            title=f"{account.code} {account.name}",
            description=f"{account.get_type_display()} account"
            + (f" · {account.get_role_display()}" if account.role else ""),
            link=reverse("admin:accounting_account_change", args=[account.pk]),
            icon="account_balance",
        )
        for account in matches
    ]
