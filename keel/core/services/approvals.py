"""Approval requests: ask, approve, reject, cancel, each with its guards."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import InvalidInput, NotFound, PermissionRefused, TransitionNotAllowed
from ..events import ApprovalDecided, ApprovalRequested, publish
from ..models import ApprovalRequest, ApprovalRule, Company
from ..money import format_money, round_money
from ..selectors import approval_rule_for
from ..transactions import atomic_service
from ..workflow import transition


@atomic_service
def save_rule(rule: ApprovalRule, *, by) -> ApprovalRule:
    """Create or change an approval rule of the user's company, checked."""
    if rule.min_amount is None or rule.min_amount < 0:
        raise InvalidInput("The threshold cannot be negative.", field="min_amount")
    if not rule.action.strip():
        raise InvalidInput("Name the verb that needs approval, e.g. confirm.", field="action")
    if rule.pk is None:
        rule.created_by = by
    rule.updated_by = by
    rule.save()
    return rule


def approval_needed(company: Company, document, action: str, amount: Decimal):
    """The rule that makes `action` on `document` need approval, or None."""
    return approval_rule_for(company, ContentType.objects.get_for_model(document), action, amount)


@atomic_service
def request_approval(
    *,
    company: Company,
    document,
    action: str,
    amount: Decimal,
    currency: str,
    requested_by,
    reason: str = "",
) -> ApprovalRequest:
    """Open a pending request when a rule applies; refuses when none does.

    Asking twice for the same document and verb returns the open request
    instead of a second one.
    """
    amount = round_money(amount, currency)
    rule = approval_needed(company, document, action, amount)
    if rule is None:
        raise InvalidInput(
            f"{document} does not need approval to {action} "
            f"({format_money(amount, currency)} is within every rule).",
            code="approval_not_required",
        )
    content_type = ContentType.objects.get_for_model(document)
    existing = ApprovalRequest.objects.filter(
        content_type=content_type,
        object_id=str(document.pk),
        action=action,
        status=ApprovalRequest.Status.PENDING,
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            request = ApprovalRequest.objects.create(
                company=company,
                rule=rule,
                content_type=content_type,
                object_id=str(document.pk),
                document_label=str(document)[:200],
                action=action,
                amount=amount,
                currency=currency,
                requested_by=requested_by,
                reason=reason[:500],
                created_by=requested_by,
                updated_by=requested_by,
            )
    except IntegrityError:
        # A concurrent click opened it first.
        return ApprovalRequest.objects.get(
            content_type=content_type,
            object_id=str(document.pk),
            action=action,
            status=ApprovalRequest.Status.PENDING,
        )
    publish(
        ApprovalRequested(
            request_id=request.pk,
            document_type=content_type.model,
            document_id=str(document.pk),
            action=action,
            amount=str(amount),
            requested_by=requested_by.get_username(),
        ),
        company=company,
    )
    return request


def _lock(request_id: int) -> ApprovalRequest:
    try:
        return (
            ApprovalRequest.objects.select_for_update(of=("self",))
            .select_related("rule__approver_role", "content_type")
            .get(pk=request_id)
        )
    except ApprovalRequest.DoesNotExist:
        raise NotFound(f"Approval request {request_id} does not exist.") from None


def _check_can_decide(request: ApprovalRequest, user) -> None:
    if request.requested_by_id == user.pk:
        raise PermissionRefused(
            "You cannot decide your own approval request; another approver must.",
            code="own_approval",
        )
    role = request.rule.approver_role
    if not user.is_superuser and not user.groups.filter(pk=role.pk).exists():
        raise PermissionRefused(
            f"Only a {role.name} can decide this request.", code="approver_role_required"
        )


def _decide(request_id: int, user, to_status: str, note: str) -> ApprovalRequest:
    request = _lock(request_id)
    if request.status != ApprovalRequest.Status.PENDING:
        raise TransitionNotAllowed(
            f"This request is already {request.get_status_display().lower()}; "
            "only a pending request can be decided.",
            field="status",
        )
    _check_can_decide(request, user)
    now = timezone.now()
    request.decided_by = user
    request.decided_at = now
    request.decision_note = note[:500]
    request.save(update_fields=["decided_by", "decided_at", "decision_note"])
    transition(request, to_status, by=user, note=note, at=now)
    publish(
        ApprovalDecided(
            request_id=request.pk,
            document_type=request.content_type.model,
            document_id=request.object_id,
            action=request.action,
            decision=to_status,
            decided_by=user.get_username(),
        ),
        company=request.company,
    )
    return request


@atomic_service
def approve(request_id: int, *, by, note: str = "") -> ApprovalRequest:
    """Approve a pending request; the approver holds the rule's role and is not the requester."""
    return _decide(request_id, by, ApprovalRequest.Status.APPROVED, note)


@atomic_service
def reject(request_id: int, *, by, note: str) -> ApprovalRequest:
    """Reject a pending request with a reason the requester will read."""
    if not note.strip():
        raise InvalidInput("Say why you reject the request.", code="reason_required", field="note")
    return _decide(request_id, by, ApprovalRequest.Status.REJECTED, note)


@atomic_service
def cancel(request_id: int, *, by) -> ApprovalRequest:
    """The requester withdraws a pending request."""
    request = _lock(request_id)
    if request.requested_by_id != by.pk and not by.is_superuser:
        raise PermissionRefused("Only the requester can cancel a request.", code="not_requester")
    transition(request, ApprovalRequest.Status.CANCELLED, by=by, note="cancelled by requester")
    return request
