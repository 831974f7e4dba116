"""What each role may do in the CRM, and the object rules for reps' own records."""

from __future__ import annotations

from keel.users.roles import Role

GRANTS: dict[Role, list[str]] = {}

# --- leads (section owned by the leads work) ---
from .lead_permissions import LEAD_GRANTS  # noqa: E402

for _role, _perms in LEAD_GRANTS.items():
    GRANTS.setdefault(_role, []).extend(_perms)

# --- opportunities, activities, forecast (section owned by the pipeline work) ---
import rules  # noqa: E402
from django.contrib.auth.backends import ModelBackend  # noqa: E402

from keel.users.permissions import owns  # noqa: E402

_PIPELINE_MODELS = ["opportunity", "pipeline", "stage", "salestarget", "activity"]


def _crud(model: str, *actions: str) -> list[str]:
    return [f"crm.{action}_{model}" for action in actions]


GRANTS.setdefault(Role.SALES_REP, []).extend(
    _crud("opportunity", "view", "add", "change")
    + _crud("activity", "view", "add", "change")
    + _crud("pipeline", "view")
    + _crud("stage", "view")
    + _crud("salestarget", "view")
)
GRANTS.setdefault(Role.SALES_MANAGER, []).extend(
    [perm for model in _PIPELINE_MODELS for perm in _crud(model, "view", "add", "change", "delete")]
    + ["crm.view_all_opportunities", "crm.view_all_activities"]
)
GRANTS.setdefault(Role.MARKETING, []).extend(
    _crud("opportunity", "view")
    + _crud("pipeline", "view")
    + _crud("stage", "view")
    + ["crm.view_all_opportunities"]
)
GRANTS.setdefault(Role.SERVICE_AGENT, []).extend(_crud("activity", "view", "add", "change"))

_model_backend = ModelBackend()


def holds_model_perm(perm: str):
    """The role grants `perm` for the model (asked of Django's backend, not of the rules,
    so an object rule can require it without recursing into itself)."""

    @rules.predicate(name=f"holds_model_perm({perm})")
    def check(user) -> bool:
        return _model_backend.has_perm(user, perm)

    return check


@rules.predicate
def is_assignee(user, activity) -> bool:
    return activity is not None and activity.assignee_id == user.pk


sees_all_opportunities = holds_model_perm("crm.view_all_opportunities")
sees_all_activities = holds_model_perm("crm.view_all_activities")

# Object rules: a rep acts on their own opportunities and activities; a manager on all.
for _action in ("view", "change", "delete"):
    rules.set_perm(
        f"crm.{_action}_opportunity",
        holds_model_perm(f"crm.{_action}_opportunity") & (owns | sees_all_opportunities),
    )
    rules.set_perm(
        f"crm.{_action}_activity",
        holds_model_perm(f"crm.{_action}_activity") & (is_assignee | sees_all_activities),
    )
