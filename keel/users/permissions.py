"""Capabilities of the users domain, and the object rules (django-rules)."""

from __future__ import annotations

import rules

from .roles import EVERY_PERMISSION, EVERY_VIEW_PERMISSION, Role


@rules.predicate
def is_self(user, target) -> bool:
    return target is not None and user.pk == getattr(target, "pk", None)


@rules.predicate
def owns(user, record) -> bool:
    """The user is the record's owner (its `owner` field, or its creator without one)."""
    if record is None:
        return False
    owner_id = getattr(record, "owner_id", None)
    if owner_id is None:
        owner_id = getattr(record, "created_by_id", None)
    return owner_id == user.pk


def has_role(*roles: Role):
    names = {str(role) for role in roles}

    @rules.predicate(name=f"has_role({', '.join(sorted(names))})")
    def predicate(user) -> bool:
        return user.is_authenticated and user.groups.filter(name__in=names).exists()

    return predicate


GRANTS: dict[Role, list[str]] = {
    Role.ADMINISTRATOR: [EVERY_PERMISSION],
    Role.AUDITOR: [EVERY_VIEW_PERMISSION],
}
