"""Search providers of the records the shell knows about; domains register their own."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from keel.core import selectors
from keel.core.search import SearchHit, register


def approvals(user, term: str, limit: int):
    if not user.has_perm("core.view_approvalrequest"):
        return []
    matches = selectors.approval_requests_visible_to(user).filter(
        Q(document_label__icontains=term) | Q(reason__icontains=term)
    )[:limit]
    return [
        SearchHit(
            title=request.document_label,
            description=f"Approval to {request.action} · {request.get_status_display()}",
            link=reverse("admin:core_approvalrequest_change", args=[request.pk]),
            icon="task_alt",
        )
        for request in matches
    ]


def users(user, term: str, limit: int):
    if not user.has_perm("users.view_user"):
        return []
    matches = (
        get_user_model()
        .objects.filter(
            Q(username__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
        )
        .order_by("username")[:limit]
    )
    return [
        SearchHit(
            title=str(person),
            description=person.email or person.username,
            link=reverse("admin:users_user_change", args=[person.pk]),
            icon="person",
        )
        for person in matches
    ]


def register_all() -> None:
    register("approvals", approvals)
    register("users", users)
