"""What each role may do with the core records."""

from __future__ import annotations

import rules

from keel.users.roles import ALL_ROLES, Role

EVERYONE = ["core.view_company", "core.view_approvalrequest"]

GRANTS: dict[Role, list[str]] = {role: list(EVERYONE) for role in ALL_ROLES}
for _approver in (Role.SALES_MANAGER, Role.ACCOUNTANT):
    GRANTS[_approver] += ["core.decide_approvalrequest", "core.view_approvalrule"]


@rules.predicate
def is_requester(user, request) -> bool:
    return request is not None and request.requested_by_id == user.pk


@rules.predicate
def holds_approver_role(user, request) -> bool:
    return request is not None and user.groups.filter(pk=request.rule.approver_role_id).exists()


# Object rules: decide only a request for your role that you did not ask for.
rules.add_perm(
    "core.decide_approvalrequest",
    rules.is_superuser | (holds_approver_role & ~is_requester),
)
