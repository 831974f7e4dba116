"""Facts the parties domain announces (no personal data in payloads)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event


@dataclasses.dataclass(frozen=True)
class PartiesMerged(Event):
    """Duplicates were folded into the survivor; every reference now points at it."""

    topic: ClassVar[str] = "parties.party.merged"
    survivor_id: int
    merged_ids: tuple[int, ...]
    moved: dict[str, int]
    merged_by: str


@dataclasses.dataclass(frozen=True)
class PersonErased(Event):
    """A person's personal data was erased (GDPR); higher tiers anonymise their copies."""

    topic: ClassVar[str] = "parties.person.erased"
    party_id: int
    erased_by: str
