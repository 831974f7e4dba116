"""Facts the CRM announces (frozen dataclasses; topics are 'crm.<thing>.<verb>')."""

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


# --- opportunities, activities (pipeline work) --------------------------------


@dataclasses.dataclass(frozen=True)
class OpportunityStageChanged(Event):
    topic: ClassVar[str] = "crm.opportunity.stage_changed"
    opportunity_id: int
    pipeline_id: int
    from_stage_id: int
    to_stage_id: int
    changed_by: str


@dataclasses.dataclass(frozen=True)
class OpportunityWon(Event):
    """A deal was won: sales can turn it into an order."""

    topic: ClassVar[str] = "crm.opportunity.won"
    opportunity_id: int
    party_id: int
    amount: str
    currency: str
    owner_id: int
    won_by: str


@dataclasses.dataclass(frozen=True)
class OpportunityLost(Event):
    topic: ClassVar[str] = "crm.opportunity.lost"
    opportunity_id: int
    reason: str
    lost_by: str


@dataclasses.dataclass(frozen=True)
class OpportunityReopened(Event):
    topic: ClassVar[str] = "crm.opportunity.reopened"
    opportunity_id: int
    reopened_by: str


@dataclasses.dataclass(frozen=True)
class ActivityCompleted(Event):
    topic: ClassVar[str] = "crm.activity.completed"
    activity_id: int
    kind: str
    about_type: str
    about_id: str
    outcome: str
    completed_by: str
