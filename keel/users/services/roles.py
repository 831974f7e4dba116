"""Create the shipped roles with their default permissions."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from ..roles import ALL_ROLES, EVERY_PERMISSION, EVERY_VIEW_PERMISSION, Role


def import_domain_permissions() -> list:
    """Each Keel domain's `permissions` module (importing it registers its object rules)."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("keel."):
            continue
        try:
            modules.append(import_module(f"{config.name}.permissions"))
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.permissions":
                raise  # a real import error inside the module must not pass silently
    return modules


def collected_grants() -> dict[Role, set[str]]:
    """Every Keel domain's `permissions.GRANTS`, merged per role."""
    grants: dict[Role, set[str]] = {role: set() for role in ALL_ROLES}
    for module in import_domain_permissions():
        for role, perms in getattr(module, "GRANTS", {}).items():
            grants[Role(role)].update(perms)
    return grants


def _resolve(codes: set[str], every: list[Permission]) -> list[Permission]:
    if EVERY_PERMISSION in codes:
        return every
    wanted = set(codes)
    chosen = [p for p in every if f"{p.content_type.app_label}.{p.codename}" in wanted]
    if EVERY_VIEW_PERMISSION in codes:
        chosen += [p for p in every if p.codename.startswith("view_")]
    return chosen


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create every role as a group and set its permissions to the shipped defaults.

    Idempotent: run after every migration and by the demo loader.
    """
    every = list(Permission.objects.select_related("content_type"))
    known = {f"{p.content_type.app_label}.{p.codename}" for p in every}
    groups: dict[str, Group] = {}
    for role, codes in collected_grants().items():
        unknown = {c for c in codes if c not in known} - {EVERY_PERMISSION, EVERY_VIEW_PERMISSION}
        if unknown:
            raise LookupError(f"Role {role} is granted unknown permissions: {sorted(unknown)}")
        group, _ = Group.objects.get_or_create(name=str(role))
        group.permissions.set(_resolve(codes, every))
        groups[str(role)] = group
    return groups
