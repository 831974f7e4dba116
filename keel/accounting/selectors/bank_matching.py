"""Matching suggestions for bank statement lines: which open items (receivables for
money in, payables for money out) a line probably pays, ranked with the reasons.

A line is compared with every open item of its company on the same side through
indexes built once per batch (by amount, by document number, by party name), so a
whole statement costs two queries whatever its size: its lines and the open items.

Signals and their weight:

- a document's legal number (or its payment reference) appears in the line's
  reference or label: 50 (25 when only some items of a group are named);
- the line's amount is exactly the open amount: 40; the open items of one party
  (the named ones, or the oldest ones first) add up to it: 35;
- the counterparty's name matches the party's: 30.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from keel.core.money import format_money

from ..models import BankStatement, BankStatementLine, OpenItem

ZERO = Decimal(0)
REFERENCE, AMOUNT, GROUP_AMOUNT, PARTY = 50, 40, 35, 30
MIN_REFERENCE_LENGTH = 4
# Words that say what kind of company a party is, not which one.
LEGAL_FORMS = frozenset(
    {
        *("ag", "bv", "co", "company", "corp", "corporation", "gmbh", "inc", "incorporated"),
        *("limited", "llc", "ltd", "plc", "sa", "sarl", "sas", "srl", "the"),
    }
)


@dataclass(frozen=True)
class Suggestion:
    """Open items of one party that a bank line may settle, with its score and why."""

    party_id: int
    party_name: str
    item_ids: tuple[int, ...]
    due_date: dt.date
    documents: tuple[str, ...]
    open_amount: Decimal
    currency: str
    score: int
    reasons: tuple[str, ...]


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[^0-9a-z]+", text.casefold()) if word}


def _name_words(name: str) -> frozenset[str]:
    words = _words(name)
    return frozenset(words - LEGAL_FORMS or words)


def _reference_tokens(line: BankStatementLine) -> set[str]:
    """Each whitespace-separated piece of the reference and label, compacted, plus the
    whole reference compacted (a bank may split 'INV 2026 00007' in words)."""
    text = f"{line.reference} {line.label}"
    tokens = {_compact(piece) for piece in re.split(r"[\s,;:()]+", text)}
    tokens.add(_compact(line.reference))
    return {token for token in tokens if len(token) >= MIN_REFERENCE_LENGTH}


def _side(amount: Decimal) -> int:
    return 1 if amount > 0 else -1


def _document(item: OpenItem) -> str:
    if item.invoice_id:
        return item.invoice.number
    if item.payment_id:
        return item.payment.number
    return item.entry.number


def _names_of(item: OpenItem) -> set[str]:
    """The compacted texts that identify the item's document in a payment's reference."""
    names = {_compact(_document(item))}
    if item.invoice_id and item.invoice.ref:
        names.add(_compact(item.invoice.ref))
    return {name for name in names if len(name) >= MIN_REFERENCE_LENGTH}


class _Index:
    """The company's open items arranged for look-ups by amount, number and party."""

    def __init__(self, items: list[OpenItem]):
        self.by_amount: dict[tuple[int, Decimal], list[OpenItem]] = defaultdict(list)
        self.by_name: dict[str, list[OpenItem]] = defaultdict(list)
        self.by_party: dict[tuple[int, int], list[OpenItem]] = defaultdict(list)
        self.names: dict[int, set[str]] = {}
        for item in items:
            side = _side(item.residual_currency)
            self.by_amount[(side, abs(item.residual_currency))].append(item)
            self.by_party[(side, item.party_id)].append(item)
            self.names[item.pk] = _names_of(item)
            for name in self.names[item.pk]:
                self.by_name[name].append(item)
        # Oldest-first runs of one party's items (two or more) by the total they reach.
        self.runs: dict[tuple[int, Decimal], list[tuple[OpenItem, ...]]] = defaultdict(list)
        self.party_words: dict[int, frozenset[str]] = {}
        by_word: dict[str, set[int]] = defaultdict(set)
        for (side, party_id), party_items in self.by_party.items():
            total = ZERO
            for n, item in enumerate(party_items, start=1):
                total += abs(item.residual_currency)
                if n >= 2:
                    self.runs[(side, total)].append(tuple(party_items[:n]))
            words = _name_words(party_items[0].party.name)
            self.party_words[party_id] = words
            for word in words:
                by_word[word].add(party_id)
        self.by_word = by_word

    def parties_named(self, counterparty: str) -> set[int]:
        """Parties all of whose name words (legal forms aside) are in the counterparty."""
        words = _name_words(counterparty) if counterparty.strip() else frozenset()
        found = set().union(*(self.by_word.get(word, set()) for word in words)) if words else set()
        return {pid for pid in found if self.party_words[pid] <= words}


def _candidates(line: BankStatementLine, index: _Index) -> dict[tuple[int, ...], tuple]:
    side, amount = _side(line.amount), abs(line.amount)
    tokens = _reference_tokens(line)
    found: dict[tuple[int, ...], tuple[OpenItem, ...]] = {}

    def add(items: Iterable[OpenItem]):
        items = tuple(sorted(items, key=lambda i: (i.due_date, i.pk)))
        found.setdefault(tuple(i.pk for i in items), items)

    named = {
        item.pk: item
        for token in tokens
        for item in index.by_name.get(token, [])
        if _side(item.residual_currency) == side
    }
    for item in named.values():
        add([item])
    named_by_party: dict[int, list[OpenItem]] = defaultdict(list)
    for item in named.values():
        named_by_party[item.party_id].append(item)
    for items in named_by_party.values():
        if len(items) > 1:
            add(items)
    for item in index.by_amount.get((side, amount), []):
        add([item])
    for run in index.runs.get((side, amount), []):
        add(run)
    for party_id in index.parties_named(line.counterparty):
        for item in index.by_party.get((side, party_id), []):
            add([item])
    return found


def _score(
    line: BankStatementLine, items: tuple[OpenItem, ...], index: _Index, named_parties: set[int]
) -> Suggestion | None:
    amount = abs(line.amount)
    tokens = _reference_tokens(line)
    first = items[0]
    currency = first.currency
    open_amount = sum((abs(i.residual_currency) for i in items), ZERO)
    documents = tuple(_document(i) for i in items)
    score, reasons = 0, []
    referenced = [
        doc for item, doc in zip(items, documents, strict=True) if index.names[item.pk] & tokens
    ]
    if referenced:
        score += REFERENCE if len(referenced) == len(items) else REFERENCE // 2
        reasons.append(f"{', '.join(referenced)} named in the reference")
    if open_amount == amount:
        if len(items) == 1:
            score += AMOUNT
            reasons.append(f"Amount {format_money(amount, currency)} is exactly the open amount")
        else:
            score += GROUP_AMOUNT
            reasons.append(
                f"The {len(items)} open items of {first.party.name} add up to "
                f"{format_money(amount, currency)}"
            )
    if first.party_id in named_parties:
        score += PARTY
        reasons.append(f"Counterparty '{line.counterparty}' matches {first.party.name}")
    if score and amount < open_amount:
        reasons.append(
            f"Pays {format_money(amount, currency)} of {format_money(open_amount, currency)} "
            "open (partial)"
        )
    if not score:
        return None
    return Suggestion(
        party_id=first.party_id,
        party_name=first.party.name,
        item_ids=tuple(i.pk for i in items),
        due_date=first.due_date,
        documents=documents,
        open_amount=open_amount,
        currency=currency,
        score=score,
        reasons=tuple(reasons),
    )


def open_items_to_match(company_id: int, currency: str) -> list[OpenItem]:
    """The company's unsettled items in `currency`, oldest due first: one query."""
    return list(
        OpenItem.objects.filter(company_id=company_id, currency=currency)
        .exclude(residual_currency=0)
        .select_related("party", "invoice", "payment", "entry")
        .order_by("due_date", "id")
    )


def suggest_for_lines(
    lines: list[BankStatementLine], items: list[OpenItem], *, limit: int = 5
) -> dict[int, list[Suggestion]]:
    """Up to `limit` suggestions per line, best first (score, then oldest due)."""
    index = _Index(items)
    result: dict[int, list[Suggestion]] = {}
    for line in lines:
        if not line.amount:
            result[line.pk] = []
            continue
        named_parties = index.parties_named(line.counterparty)
        scored = [
            suggestion
            for candidate in _candidates(line, index).values()
            if (suggestion := _score(line, candidate, index, named_parties)) is not None
        ]
        scored.sort(key=lambda s: (-s.score, s.due_date, len(s.item_ids), s.item_ids))
        result[line.pk] = scored[:limit]
    return result


def suggest_matches(line: BankStatementLine, limit: int = 5) -> list[Suggestion]:
    """The best candidates among the company's open items for one line (two queries)."""
    line = BankStatementLine.objects.select_related("company").get(pk=line.pk)
    items = open_items_to_match(line.company_id, line.company.currency)
    return suggest_for_lines([line], items, limit=limit)[line.pk]


def unmatched_lines(statement: BankStatement) -> list[BankStatementLine]:
    return list(
        statement.lines.filter(payment__isnull=True).select_related("company").order_by("sequence")
    )


def suggest_for_statement(
    statement: BankStatement, *, limit: int = 3
) -> list[tuple[BankStatementLine, list[Suggestion]]]:
    """Every unmatched line of a statement with its suggestions, in two queries."""
    lines = unmatched_lines(statement)
    if not lines:
        return []
    items = open_items_to_match(statement.company_id, lines[0].company.currency)
    found = suggest_for_lines(lines, items, limit=limit)
    return [(line, found[line.pk]) for line in lines]


def statement_matching(
    statement: BankStatement, *, limit: int = 3
) -> list[tuple[BankStatementLine, list[Suggestion]]]:
    """Every line of a statement (matched ones with their payment) and, for the
    unmatched ones, their suggestions: the statement page, in three queries."""
    lines = list(statement.lines.select_related("company", "payment").order_by("sequence"))
    unmatched = [line for line in lines if line.payment_id is None]
    found: dict[int, list[Suggestion]] = {}
    if unmatched:
        items = open_items_to_match(statement.company_id, lines[0].company.currency)
        found = suggest_for_lines(unmatched, items, limit=limit)
    return [(line, found.get(line.pk, [])) for line in lines]
