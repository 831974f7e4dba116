"""Reads of the ledger: entries and lines, the balance check and the chain check."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from ..hashing import ENTRY_FIELDS, GENESIS, LINE_FIELDS, chain_hash
from ..models import AccountBalance, JournalEntry, JournalLine, LedgerHead, PartyBalance

ZERO = Decimal(0)
CHUNK = 2000


def entries_of(company_id: int | None) -> QuerySet[JournalEntry]:
    return (
        JournalEntry.objects.filter(company_id=company_id, state=JournalEntry.State.POSTED)
        .select_related("journal", "reverses", "posted_by")
        .order_by("-date", "-id")
    )


def lines_of(company_id: int | None) -> QuerySet[JournalLine]:
    return JournalLine.objects.filter(company_id=company_id).select_related(
        "entry", "account", "party", "tax"
    )


@dataclass(frozen=True)
class BalanceDifference:
    """A maintained balance row that disagrees with the sum of its lines."""

    kind: str  # "account" or "party"
    account_id: int
    party_id: int | None
    period_id: int
    expected_debit: Decimal
    expected_credit: Decimal
    stored_debit: Decimal
    stored_credit: Decimal

    def __str__(self) -> str:
        who = f"account {self.account_id}" + (f" party {self.party_id}" if self.party_id else "")
        return (
            f"{self.kind} balance of {who} period {self.period_id}: stored "
            f"D {self.stored_debit} C {self.stored_credit}, lines say "
            f"D {self.expected_debit} C {self.expected_credit}"
        )


def expected_balances(company_id: int) -> tuple[dict, dict]:
    """What the balance tables should hold, summed from the lines (two grouped queries)."""
    lines = JournalLine.objects.filter(company_id=company_id)
    per_account = {
        (row["account_id"], row["period_id"]): (row["d"], row["c"])
        for row in lines.values("account_id", "period_id").annotate(d=Sum("debit"), c=Sum("credit"))
    }
    per_party = {
        (row["account_id"], row["party_id"], row["period_id"]): (row["d"], row["c"])
        for row in lines.filter(account__party_balances=True, party__isnull=False)
        .values("account_id", "party_id", "period_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    }
    return per_account, per_party


def _compare(kind: str, expected: dict, stored: dict) -> list[BalanceDifference]:
    differences = []
    for key in sorted(set(expected) | set(stored), key=lambda k: tuple(x or 0 for x in k)):
        want = expected.get(key, (ZERO, ZERO))
        have = stored.get(key, (ZERO, ZERO))
        if want != have:
            account_id, party_id, period_id = key if len(key) == 3 else (key[0], None, key[1])
            differences.append(
                BalanceDifference(kind, account_id, party_id, period_id, *want, *have)
            )
    return differences


def balance_differences(company_id: int) -> list[BalanceDifference]:
    """Every maintained balance (account and party) that differs from its lines."""
    per_account, per_party = expected_balances(company_id)
    stored_accounts = {
        (b.account_id, b.period_id): (b.debit, b.credit)
        for b in AccountBalance.objects.filter(company_id=company_id)
    }
    stored_parties = {
        (b.account_id, b.party_id, b.period_id): (b.debit, b.credit)
        for b in PartyBalance.objects.filter(company_id=company_id)
    }
    return _compare("account", per_account, stored_accounts) + _compare(
        "party", per_party, stored_parties
    )


@dataclass(frozen=True)
class LedgerBreak:
    """The first place the hash chain does not hold."""

    entry_id: int | None
    number: str
    chain_index: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.number or '-'} (chain #{self.chain_index}): {self.reason}"


def first_broken_link(company_id: int) -> tuple[LedgerBreak | None, int]:
    """Walk the company's chain in order, recomputing each hash from the stored
    entry and lines; the first mismatch (or gap) and how many entries were checked."""
    previous_hash, expected_index, checked = GENESIS, 1, 0
    entries = (
        JournalEntry.objects.filter(company_id=company_id, state=JournalEntry.State.POSTED)
        .order_by("chain_index")
        .values(*ENTRY_FIELDS)
    )
    last_index = 0
    while True:
        chunk = list(entries.filter(chain_index__gt=last_index)[:CHUNK])
        if not chunk:
            break
        lines_by_entry: dict[int, list[dict]] = defaultdict(list)
        for line in JournalLine.objects.filter(entry_id__in=[e["id"] for e in chunk]).values(
            *LINE_FIELDS
        ):
            lines_by_entry[line["entry_id"]].append(line)
        for entry in chunk:
            where = (entry["id"], entry["number"], entry["chain_index"])
            if entry["chain_index"] != expected_index:
                return LedgerBreak(
                    *where, f"expected chain #{expected_index}: an entry is missing"
                ), checked
            if entry["previous_hash"] != previous_hash:
                return LedgerBreak(*where, "its link to the previous entry does not match"), checked
            recomputed = chain_hash(previous_hash, entry, lines_by_entry[entry["id"]])
            if recomputed != entry["hash"]:
                return LedgerBreak(
                    *where,
                    f"stored hash {entry['hash'][:12]}… but its content hashes to "
                    f"{recomputed[:12]}…: the entry or its lines were altered",
                ), checked
            previous_hash, expected_index = entry["hash"], expected_index + 1
            checked += 1
        last_index = chunk[-1]["chain_index"]
    head = LedgerHead.objects.filter(company_id=company_id).first()
    if head and (head.last_index != checked or head.last_hash != previous_hash):
        return LedgerBreak(
            None, "", head.last_index, "the ledger head names an entry that is missing"
        ), checked
    return None, checked
