"""Facts the CRM announces."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event

# --- leads ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LeadCaptured(Event):
    topic: ClassVar[str] = "crm.lead.captured"
    lead_id: int
    source: str
    owner_id: int | None
    score: int


@dataclasses.dataclass(frozen=True)
class LeadsImported(Event):
    """One event per import, not one per row: an import may bring 100,000 leads."""

    topic: ClassVar[str] = "crm.leads.imported"
    import_id: int
    created: int


@dataclasses.dataclass(frozen=True)
class LeadQualified(Event):
    topic: ClassVar[str] = "crm.lead.qualified"
    lead_id: int
    by: str


@dataclasses.dataclass(frozen=True)
class LeadDisqualified(Event):
    topic: ClassVar[str] = "crm.lead.disqualified"
    lead_id: int
    reason: str
    by: str


@dataclasses.dataclass(frozen=True)
class LeadReopened(Event):
    topic: ClassVar[str] = "crm.lead.reopened"
    lead_id: int
    by: str


@dataclasses.dataclass(frozen=True)
class LeadConverted(Event):
    topic: ClassVar[str] = "crm.lead.converted"
    lead_id: int
    party_id: int
    contact_id: int | None
    opportunity_id: int | None
    reused_party: bool
