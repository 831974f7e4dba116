"""The home dashboard: real figures for the signed-in user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from keel.core import selectors
from keel.core.models import OutboxEvent, WebhookDelivery


def kpis_for(user) -> list[dict]:
    """Cards the user's role may see, each a count with a link to the list behind it."""
    cards = []
    if user.has_perm("core.view_approvalrequest"):
        cards.append(
            {
                "title": "Approvals waiting for you",
                "value": selectors.pending_approvals_for(user).count(),
                "link": reverse("web:approvals"),
                "icon": "approval",
            }
        )
        cards.append(
            {
                "title": "Your open requests",
                "value": selectors.approval_requests_visible_to(user)
                .filter(requested_by=user, status="pending")
                .count(),
                "link": reverse("web:approvals"),
                "icon": "hourglass_top",
            }
        )
    if user.has_perm("users.view_user"):
        cards.append(
            {
                "title": "Active users",
                "value": get_user_model().objects.filter(is_active=True).count(),
                "link": reverse("admin:users_user_changelist"),
                "icon": "person",
            }
        )
    if user.has_perm("core.view_webhookdelivery"):
        cards.append(
            {
                "title": "Failed webhook deliveries",
                "value": WebhookDelivery.objects.filter(status="failed").count(),
                "link": reverse("admin:core_webhookdelivery_changelist") + "?status__exact=failed",
                "icon": "error",
            }
        )
    if user.has_perm("core.view_outboxevent"):
        cards.append(
            {
                "title": "Events waiting for dispatch",
                "value": OutboxEvent.objects.filter(dispatched_at__isnull=True).count(),
                "link": reverse("admin:core_outboxevent_changelist"),
                "icon": "outbox",
            }
        )
    return cards


def dashboard_callback(request, context: dict) -> dict:
    context["kpis"] = kpis_for(request.user)
    context["roles"] = sorted(group.name for group in request.user.groups.all())
    return context
