"""The ledger in beancount's plain-text format, so an independent tool
(`bean-check`, fava) can re-add every entry and compare balances.

Accounts map to beancount's five roots by type and are named
`Root:CODE-Name` (beancount wants each component to start with a capital
letter or a digit). One transaction per posted entry, one posting per line,
in the company's currency; a line's foreign amount rides along as metadata.
The text is produced in chunks, so a million lines stream in constant memory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from keel.core.models import Company

from ..models import Account, AccountType, JournalEntry, JournalLine, Period

ROOTS = {
    AccountType.ASSET: "Assets",
    AccountType.LIABILITY: "Liabilities",
    AccountType.EQUITY: "Equity",
    AccountType.INCOME: "Income",
    AccountType.EXPENSE: "Expenses",
}
CHUNK = 2000
CENT = Decimal("0.01")


def _component(text: str) -> str:
    """A valid beancount account component: ASCII letters, digits and dashes,
    starting with a capital letter or a digit."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text)
    joined = "-".join(word[:1].upper() + word[1:] for word in words)
    return joined or "X"


def account_name(account: Account) -> str:
    """`Assets:1000-Bank` for account 1000 "Bank" of type asset."""
    code = _component(account.code)
    name = _component(account.name)
    return f"{ROOTS[account.type]}:{code}-{name}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _amount(value: Decimal) -> str:
    """Exact, with at least the cents (the stored 4 decimals only when they matter)."""
    rounded = value.quantize(CENT)
    return f"{rounded if rounded == value else value.normalize():f}"


def account_names(company_id: int) -> dict[int, str]:
    return {a.pk: account_name(a) for a in Account.objects.filter(company_id=company_id)}


def iter_beancount(company_id: int) -> Iterator[str]:
    """The company's posted ledger as beancount text, in pieces."""
    company = Company.objects.get(pk=company_id)
    currency = company.currency
    accounts = list(Account.objects.filter(company_id=company_id).order_by("code"))
    names = {a.pk: account_name(a) for a in accounts}
    first = Period.objects.filter(company_id=company_id).order_by("start").first()
    opened = first.start if first else None
    yield f"; Keel ledger of {company.name}\n"
    yield f"option {_quote('title')} {_quote(company.name)}\n"
    yield f"option {_quote('operating_currency')} {_quote(currency)}\n\n"
    if opened is None:
        return
    for account in accounts:
        yield f"{opened.isoformat()} open {names[account.pk]} {currency}\n"
        yield f"  keel_code: {_quote(account.code)}\n"
    yield "\n"
    entries = JournalEntry.objects.filter(
        company_id=company_id, state=JournalEntry.State.POSTED
    ).order_by("date", "chain_index")
    last_key = None
    while True:
        chunk_qs = entries
        if last_key is not None:
            day, index = last_key
            chunk_qs = chunk_qs.filter(date__gte=day).exclude(date=day, chain_index__lte=index)
        chunk = list(chunk_qs.values("id", "date", "number", "ref", "chain_index")[:CHUNK])
        if not chunk:
            break
        lines_by_entry: dict[int, list[dict]] = {}
        rows = (
            JournalLine.objects.filter(entry_id__in=[e["id"] for e in chunk])
            .order_by("entry_id", "sequence")
            .values(
                "entry_id",
                "account_id",
                "debit",
                "credit",
                "currency",
                "amount_currency",
                "label",
                "party__name",
            )
        )
        for row in rows:
            lines_by_entry.setdefault(row["entry_id"], []).append(row)
        parts = []
        for entry in chunk:
            narration = entry["ref"] or entry["number"]
            parts.append(f"{entry['date'].isoformat()} * {_quote(narration)}\n")
            parts.append(f"  number: {_quote(entry['number'])}\n")
            for line in lines_by_entry.get(entry["id"], []):
                amount = line["debit"] - line["credit"]
                if not amount:
                    continue  # a zero line moves no balance
                parts.append(f"  {names[line['account_id']]}  {_amount(amount)} {currency}\n")
                if line["party__name"]:
                    parts.append(f"    party: {_quote(line['party__name'])}\n")
                if line["currency"] != currency:
                    foreign = f"{_amount(line['amount_currency'])} {line['currency']}"
                    parts.append(f"    amount_currency: {_quote(foreign)}\n")
            parts.append("\n")
        yield "".join(parts)
        last_key = (chunk[-1]["date"], chunk[-1]["chain_index"])


def export_beancount(company_id: int) -> str:
    """The whole ledger as one string (for files and tests; stream `iter_beancount`)."""
    return "".join(iter_beancount(company_id))
