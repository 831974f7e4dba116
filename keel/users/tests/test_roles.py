"""Roles: shipped as groups with default permissions, idempotently."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, Permission

from keel.users.roles import Role
from keel.users.services.roles import ensure_roles

pytestmark = pytest.mark.django_db


def perms_of(role: Role) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=str(role)).permissions.select_related("content_type")
    }


def test_every_role_exists_after_migrate():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(str(r) for r in Role)
    assert len(Role) == 13


def test_ensure_roles_is_idempotent_and_restores_defaults():
    group = Group.objects.get(name=str(Role.SALES_REP))
    group.permissions.add(Permission.objects.get(codename="delete_webhooksubscription"))
    before = Group.objects.count()

    ensure_roles()
    ensure_roles()

    assert Group.objects.count() == before
    assert "core.delete_webhooksubscription" not in perms_of(Role.SALES_REP)


def test_administrator_has_every_permission_and_auditor_only_views():
    assert perms_of(Role.ADMINISTRATOR) == {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    auditor = perms_of(Role.AUDITOR)
    assert auditor
    assert all(code.split(".")[1].startswith("view_") for code in auditor)
    assert "core.view_all_approvalrequests" in auditor


def test_approvers_can_decide_and_reps_cannot():
    assert "core.decide_approvalrequest" in perms_of(Role.SALES_MANAGER)
    assert "core.decide_approvalrequest" in perms_of(Role.ACCOUNTANT)
    assert "core.decide_approvalrequest" not in perms_of(Role.SALES_REP)
    # Employees ask for goods with purchase requisitions (keel.purchasing) and decide nothing.
    assert perms_of(Role.EMPLOYEE) == {
        "core.view_company",
        "core.view_approvalrequest",
        "purchasing.view_requisition",
        "purchasing.add_requisition",
    }


def test_every_domains_object_rules_exist_in_a_fresh_process():
    """Object rules (rules.add_perm in each permissions.py) must be there for the first
    request of a new server process, not only after migrate ran in that process."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); import rules; "
        "print(rules.perm_exists('core.decide_approvalrequest'), "
        "rules.perm_exists('parties.change_party'), rules.perm_exists('crm.change_lead'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "keel.config.settings"},
        timeout=120,
    )
    assert result.stdout.split() == ["True", "True", "True"], result.stderr
