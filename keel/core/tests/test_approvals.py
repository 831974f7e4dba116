"""Approvals: a rule asks a role's consent; the requester never approves themself."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.core.errors import InvalidInput, PermissionRefused, TransitionNotAllowed
from keel.core.models import ApprovalRequest, OutboxEvent, StatusChange
from keel.core.selectors import is_approved, pending_approvals_for
from keel.core.services import approvals
from keel.core.tests.factories import ApprovalRuleFactory
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(company):
    return ApprovalRuleFactory(company=company, min_amount=Decimal("10000.00"))


def ask(company, user, amount="12500.00"):
    return approvals.request_approval(
        company=company,
        document=company,
        action="confirm",
        amount=Decimal(amount),
        currency="USD",
        requested_by=user,
        reason="Big deal",
    )


def snapshot():
    """What a refused action must leave untouched."""
    return (
        list(ApprovalRequest.objects.values_list("id", "status", "decided_by_id", "updated_at")),
        StatusChange.objects.count(),
        OutboxEvent.objects.count(),
    )


def test_sales_manager_approves_a_reps_large_deal(company, rule, users):
    """Given a rule 'above 10,000 needs a Sales Manager'; When a rep asks for
    12,500.00 and the manager approves; Then the request is approved, logged,
    announced, and the document counts as approved."""
    rep, manager = users[Role.SALES_REP], users[Role.SALES_MANAGER]

    request = ask(company, rep)
    assert (request.status, request.amount, request.rule) == ("pending", Decimal("12500.00"), rule)
    assert list(pending_approvals_for(manager)) == [request]
    assert list(pending_approvals_for(rep)) == []

    approvals.approve(request.pk, by=manager, note="Go")

    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_note) == (
        "approved",
        manager,
        "Go",
    )
    assert is_approved(company, "confirm")
    assert list(OutboxEvent.objects.values_list("topic", flat=True)) == [
        "core.approval.requested",
        "core.approval.decided",
    ]
    assert OutboxEvent.objects.last().payload["decision"] == "approved"


def test_asking_twice_returns_the_open_request(company, rule, users):
    first = ask(company, users[Role.SALES_REP])
    second = ask(company, users[Role.SALES_REP])
    assert first.pk == second.pk
    assert ApprovalRequest.objects.count() == 1


def test_amount_within_every_rule_needs_no_approval(company, rule, users):
    with pytest.raises(InvalidInput) as refusal:
        ask(company, users[Role.SALES_REP], amount="10000.00")
    assert refusal.value.code == "approval_not_required"
    assert "10,000.00 USD is within every rule" in refusal.value.detail
    assert ApprovalRequest.objects.count() == 0


def test_the_highest_applicable_threshold_wins(company, rule, users):
    from django.contrib.auth.models import Group

    ApprovalRuleFactory(
        company=company,
        name="Huge deals need an Accountant",
        min_amount=Decimal("50000.00"),
        approver_role=Group.objects.get(name="Accountant"),
    )
    assert ask(company, users[Role.SALES_REP], "60000.00").rule.approver_role.name == "Accountant"


def test_requester_cannot_approve_their_own_request(company, rule, users):
    """Given a Sales Manager who asked for approval themself; When they approve it;
    Then they are refused and nothing changes."""
    manager = users[Role.SALES_MANAGER]
    request = ask(company, manager)
    before = snapshot()

    with pytest.raises(PermissionRefused) as refusal:
        approvals.approve(request.pk, by=manager)

    assert refusal.value.code == "own_approval"
    assert snapshot() == before


def test_a_user_without_the_approver_role_is_refused(company, rule, users):
    request = ask(company, users[Role.SALES_REP])
    before = snapshot()
    with pytest.raises(PermissionRefused) as refusal:
        approvals.approve(request.pk, by=users[Role.ACCOUNTANT])
    assert refusal.value.code == "approver_role_required"
    assert refusal.value.detail == "Only a Sales Manager can decide this request."
    assert snapshot() == before


def test_rejecting_needs_a_reason(company, rule, users):
    request = ask(company, users[Role.SALES_REP])
    before = snapshot()
    with pytest.raises(InvalidInput) as refusal:
        approvals.reject(request.pk, by=users[Role.SALES_MANAGER], note="  ")
    assert (refusal.value.code, refusal.value.field) == ("reason_required", "note")
    assert snapshot() == before


def test_a_decided_request_cannot_be_decided_again(company, rule, users):
    request = ask(company, users[Role.SALES_REP])
    approvals.reject(request.pk, by=users[Role.SALES_MANAGER], note="Margin too thin")
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        approvals.approve(request.pk, by=users[Role.SALES_MANAGER])
    assert snapshot() == before


def test_only_the_requester_cancels(company, rule, users):
    request = ask(company, users[Role.SALES_REP])
    with pytest.raises(PermissionRefused):
        approvals.cancel(request.pk, by=users[Role.SALES_MANAGER])
    approvals.cancel(request.pk, by=users[Role.SALES_REP])
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_an_administrator_sets_up_a_rule_through_the_api_and_a_bad_one_is_refused(users, api_as):
    """Given an administrator; When they create a rule 'above 5,000.00 needs a Sales Manager';
    Then it is saved with who made it; a negative threshold is refused at the field."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from keel.core.models import ApprovalRule, Company

    client = api_as(users[Role.ADMINISTRATOR])
    body = {
        "name": "Mid-size deals",
        "content_type": ContentType.objects.get_for_model(Company).pk,
        "action": "confirm",
        "min_amount": "5000.00",
        "approver_role": Group.objects.get(name="Sales Manager").pk,
    }
    created = client.post("/api/v1/approval-rules/", body, format="json")
    assert created.status_code == 201, created.json()
    rule = ApprovalRule.objects.get()
    assert (rule.min_amount, rule.created_by) == (Decimal("5000.00"), users[Role.ADMINISTRATOR])

    refused = client.post("/api/v1/approval-rules/", {**body, "min_amount": "-1.00"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "min_amount"
    assert ApprovalRule.objects.count() == 1
