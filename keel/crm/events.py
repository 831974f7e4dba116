"""Facts the CRM announces (frozen dataclasses; topics are 'crm.<thing>.<verb>')."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from keel.core.events import Event

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
