"""The hash chain of posted entries: a canonical text of an entry and its lines,
hashed together with the previous entry's hash (SHA-256)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal

GENESIS = "0" * 64


def _amount(value: Decimal) -> str:
    return f"{value if type(value) is Decimal else Decimal(value):.4f}"


def canonical_entry(entry: dict, lines: Iterable[dict]) -> str:
    """One stable text of what was posted: the same facts always give the same text.

    `entry` and each line are plain dicts (see `entry_facts`/`line_facts`);
    accounts, parties and taxes are named by id, which never changes.
    """
    body = {
        "company": entry["company_id"],
        "journal": entry["journal_id"],
        "number": entry["number"],
        "date": entry["date"].isoformat(),
        "ref": entry["ref"],
        "reverses": entry["reverses_id"],
        "source": [entry["source_type_id"], entry["source_id"]],
        "index": entry["chain_index"],
        "lines": [
            [
                line["sequence"],
                line["account_id"],
                line["party_id"],
                _amount(line["debit"]),
                _amount(line["credit"]),
                line["currency"],
                _amount(line["amount_currency"]),
                line["tax_id"],
                _amount(line["tax_base_amount"]),
                line["label"],
                list(line["analytic_tags"]),
                # Only when set, so entries posted before due dates existed hash as they did.
                *([line["due_date"].isoformat()] if line.get("due_date") else []),
            ]
            for line in sorted(lines, key=lambda line: line["sequence"])
        ],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(previous_hash: str, entry: dict, lines: Iterable[dict]) -> str:
    """sha256(previous hash + canonical text of the entry and its lines), hex."""
    text = previous_hash + canonical_entry(entry, lines)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


ENTRY_FIELDS = (
    "id",
    "company_id",
    "journal_id",
    "number",
    "date",
    "ref",
    "reverses_id",
    "source_type_id",
    "source_id",
    "chain_index",
    "previous_hash",
    "hash",
)
LINE_FIELDS = (
    "entry_id",
    "sequence",
    "account_id",
    "party_id",
    "debit",
    "credit",
    "currency",
    "amount_currency",
    "tax_id",
    "tax_base_amount",
    "label",
    "analytic_tags",
    "due_date",
)
