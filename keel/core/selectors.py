"""Reads of the core tables; never writes."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from .models import ApprovalRequest, ApprovalRule, Company, WebhookDelivery


def default_company() -> Company | None:
    return Company.objects.order_by("id").first()


def approval_rule_for(
    company: Company, content_type: ContentType, action: str, amount: Decimal
) -> ApprovalRule | None:
    """The strictest active rule that applies: the highest threshold below `amount`."""
    return (
        ApprovalRule.objects.filter(
            company=company,
            content_type=content_type,
            action=action,
            active=True,
            min_amount__lt=amount,
        )
        .select_related("approver_role")
        .order_by("-min_amount", "id")
        .first()
    )


def approval_requests_visible_to(user) -> QuerySet[ApprovalRequest]:
    """Requests a user may see: all for administrators and auditors; otherwise their
    own and those waiting for a role they hold."""
    qs = ApprovalRequest.objects.select_related(
        "rule", "rule__approver_role", "requested_by", "decided_by", "content_type", "company"
    )
    if user.is_superuser or user.has_perm("core.view_all_approvalrequests"):
        return qs
    return qs.filter(Q(requested_by=user) | Q(rule__approver_role__in=user.groups.all()))


def pending_approvals_for(user) -> QuerySet[ApprovalRequest]:
    """Requests this user could decide now (their role, not their own)."""
    return (
        approval_requests_visible_to(user)
        .filter(status=ApprovalRequest.Status.PENDING, rule__approver_role__in=user.groups.all())
        .exclude(requested_by=user)
    )


def is_approved(document, action: str) -> bool:
    """Whether `document` has an approved request for `action`."""
    return ApprovalRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(document),
        object_id=str(document.pk),
        action=action,
        status=ApprovalRequest.Status.APPROVED,
    ).exists()


def deliveries_for_log() -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.select_related("event", "subscription").prefetch_related("log")
