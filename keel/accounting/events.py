"""Facts the accounting domain announces."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event


@dataclasses.dataclass(frozen=True)
class EntryPosted(Event):
    topic: ClassVar[str] = "accounting.entry.posted"
    entry_id: int
    number: str
    journal: str
    date: str
    amount: str  # Σ debit, in the company's currency
    source_type: str | None
    source_id: str


@dataclasses.dataclass(frozen=True)
class EntryReversed(Event):
    topic: ClassVar[str] = "accounting.entry.reversed"
    entry_id: int
    number: str
    reversal_id: int
    reversal_number: str
    reason: str
