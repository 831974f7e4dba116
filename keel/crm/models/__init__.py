from .activities import Activity, CalendarFeed, SalesTarget
from .leads import AssignmentRule, Lead, LeadEngagement, LeadImport, ScoringRule
from .opportunities import Opportunity, Pipeline, Stage

__all__ = [
    "Activity",
    "AssignmentRule",
    "CalendarFeed",
    "Lead",
    "LeadEngagement",
    "LeadImport",
    "Opportunity",
    "Pipeline",
    "SalesTarget",
    "ScoringRule",
    "Stage",
]
