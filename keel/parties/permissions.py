"""What each role may do with parties, and the object rule: a Sales Rep changes only the
parties (and their addresses) they own."""

from __future__ import annotations

import rules

from keel.users.permissions import has_role, owns
from keel.users.roles import ALL_ROLES, Role

REFERENCE_MODELS = ("region", "saleschannel", "industry", "tag", "customergroup")
VIEW = ["parties.view_party", "parties.view_address"] + [
    f"parties.view_{model}" for model in REFERENCE_MODELS
]
EDIT = VIEW + [
    "parties.add_party",
    "parties.change_party",
    "parties.add_address",
    "parties.change_address",
    "parties.delete_address",
]
MANAGE_REFERENCES = [
    f"parties.{verb}_{model}" for model in REFERENCE_MODELS for verb in ("add", "change")
]
GDPR_AND_MERGE = ["parties.merge_party", "parties.erase_person", "parties.export_personal_data"]

GRANTS: dict[Role, list[str]] = {role: [] for role in ALL_ROLES}
for _role in (
    Role.SALES_REP,
    Role.SALES_MANAGER,
    Role.MARKETING,
    Role.SERVICE_AGENT,
    Role.ACCOUNTANT,
    Role.BUYER,
):
    GRANTS[_role] += EDIT
for _role in (Role.WAREHOUSE_CLERK, Role.PROJECT_MANAGER):
    GRANTS[_role] += VIEW
GRANTS[Role.SALES_MANAGER] += MANAGE_REFERENCES + GDPR_AND_MERGE
GRANTS[Role.MARKETING] += ["parties.add_tag", "parties.change_tag"]
# Administrator holds every permission and Auditor every view through keel.users.


def holds(perm: str):
    """The role grants `perm` at all (the model permission, without an object)."""

    @rules.predicate(name=f"holds({perm})")
    def predicate(user) -> bool:
        return user.is_authenticated and (user.is_superuser or perm in user.get_all_permissions())

    return predicate


is_rep_only = has_role(Role.SALES_REP) & ~has_role(Role.SALES_MANAGER, Role.ADMINISTRATOR)


@rules.predicate
def owns_party_of(user, address) -> bool:
    return address is not None and owns(user, address.party)


# Django's ModelBackend answers nothing for a single record, so these rules carry the
# model permission too: with the role's grant, a Sales Rep may still change only their own.
rules.add_perm(
    "parties.change_party",
    holds("parties.change_party") & (rules.is_superuser | ~is_rep_only | owns),
)
for _verb in ("change", "delete"):
    rules.add_perm(
        f"parties.{_verb}_address",
        holds(f"parties.{_verb}_address") & (rules.is_superuser | ~is_rep_only | owns_party_of),
    )
