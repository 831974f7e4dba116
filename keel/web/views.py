"""Custom workspace pages built from unfold's look, htmx and Alpine."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from keel.core import selectors
from keel.core.errors import DomainError
from keel.core.search import search as global_search
from keel.core.services import approvals


def _page(request, template: str, context: dict, title: str) -> TemplateResponse:
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


@login_required
@permission_required("core.view_approvalrequest", raise_exception=True)
def approvals_inbox(request):
    """Requests waiting for the user's decision, and the user's own requests."""
    visible = selectors.approval_requests_visible_to(request.user)
    return _page(
        request,
        "web/approvals.html",
        {
            "to_decide": selectors.pending_approvals_for(request.user)[:200],
            "mine": visible.filter(requested_by=request.user)[:200],
        },
        "Approvals inbox",
    )


@login_required
@require_POST
def decide(request, pk: int, decision: str):
    """htmx: approve or reject one request and answer with its re-rendered row.

    A refusal comes back as the same row with the reason shown under it; htmx
    swaps only 2xx answers, so it is a 200 for htmx and a 4xx otherwise.
    """
    if decision not in {"approve", "reject"}:
        raise Http404("Unknown decision")
    visible = selectors.approval_requests_visible_to(request.user)
    get_object_or_404(visible, pk=pk)
    refused_status = 200 if request.headers.get("HX-Request") else 403
    error = None
    if not request.user.has_perm("core.decide_approvalrequest"):
        error = "Your role cannot decide approval requests."
    else:
        verb = approvals.approve if decision == "approve" else approvals.reject
        try:
            verb(pk, by=request.user, note=request.POST.get("note", ""))
        except DomainError as refusal:
            error = refusal.detail
            refused_status = 200 if request.headers.get("HX-Request") else refusal.status
    row = visible.get(pk=pk)
    return TemplateResponse(
        request,
        "web/approvals.html#decision-row",
        {"row": row, "error": error},
        status=refused_status if error else 200,
    )


@login_required
def search(request):
    """Results from every registered search provider the user may see."""
    term = request.GET.get("q", "")
    return _page(
        request,
        "web/search.html",
        {"term": term, "hits": global_search(request.user, term)},
        "Search",
    )
