"""Readers of bank files: each turns a file's bytes into a `ParsedStatement`, or
refuses it with `BankFileInvalid` saying what is wrong and where."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from keel.core.errors import InvalidInput


class BankFileInvalid(InvalidInput):
    code = "bank_file_invalid"


@dataclass
class ParsedLine:
    date: dt.date
    amount: Decimal  # positive: money in
    reference: str = ""
    counterparty: str = ""
    label: str = ""
    unique_id: str = ""


@dataclass
class ParsedStatement:
    lines: list[ParsedLine] = field(default_factory=list)
    name: str = ""
    balance_start: Decimal | None = None
    balance_end: Decimal | None = None


def fill_unique_ids(lines: list[ParsedLine]) -> None:
    """Lines without the bank's id get a digest of their content; identical lines of
    one file are told apart by their occurrence number."""
    seen: dict[str, int] = {}
    for line in lines:
        if line.unique_id:
            continue
        base = "|".join(
            [
                line.date.isoformat(),
                f"{line.amount:f}",
                line.reference,
                line.counterparty,
                line.label,
            ]
        )
        seen[base] = seen.get(base, 0) + 1
        line.unique_id = hashlib.sha256(f"{base}|{seen[base]}".encode()).hexdigest()[:40]
