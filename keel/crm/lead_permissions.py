"""Who may do what with leads: role grants, and the rule that reps touch only their own.

Imported by crm/permissions.py (grants, for ensure_roles) and by the lead API and
admin (so the object rules are registered in every process that serves leads).
"""

from __future__ import annotations

import rules
from django.contrib.auth.backends import ModelBackend

from keel.users.permissions import owns
from keel.users.roles import Role

_LEAD_WORK = [
    "crm.view_lead",
    "crm.add_lead",
    "crm.change_lead",
    "crm.view_leadengagement",
    "crm.add_leadengagement",
]
_SCORING_RULES = [f"crm.{verb}_scoringrule" for verb in ("view", "add", "change", "delete")]
_ASSIGNMENT_RULES = [f"crm.{verb}_assignmentrule" for verb in ("view", "add", "change", "delete")]
_IMPORTS = ["crm.view_leadimport", "crm.add_leadimport"]

LEAD_GRANTS: dict[Role, list[str]] = {
    Role.SALES_REP: [*_LEAD_WORK, "crm.convert_lead"],
    Role.SALES_MANAGER: [
        *_LEAD_WORK,
        "crm.delete_lead",
        "crm.convert_lead",
        "crm.view_all_leads",
        *_SCORING_RULES,
        *_ASSIGNMENT_RULES,
        *_IMPORTS,
    ],
    Role.MARKETING: [*_LEAD_WORK, "crm.view_all_leads", *_SCORING_RULES, *_IMPORTS],
}

_model_backend = ModelBackend()


def model_perm(perm: str):
    """The role (group) grants `perm` itself; asked of Django's backend so that a rule
    never grants more than the role has."""

    @rules.predicate(name=f"model_perm({perm})")
    def predicate(user) -> bool:
        return _model_backend.has_perm(user, perm)

    return predicate


@rules.predicate
def sees_all_leads(user) -> bool:
    return user.is_superuser or _model_backend.has_perm(user, "crm.view_all_leads")


def can_see_all_leads(user) -> bool:
    return bool(sees_all_leads(user))


# A Sales Rep works on the leads they own (or captured, while unassigned); managers,
# marketing, auditors and administrators see every lead.
for _perm in (
    "crm.view_lead",
    "crm.change_lead",
    "crm.delete_lead",
    "crm.convert_lead",
    "crm.add_leadengagement",
):
    rules.set_perm(_perm, rules.is_superuser | (model_perm(_perm) & (sees_all_leads | owns)))
