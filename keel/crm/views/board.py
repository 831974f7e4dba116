"""The pipeline board: stages as columns, open opportunities as cards, drag to move."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from keel.core.errors import DomainError, InvalidInput
from keel.core.selectors import default_company

from .. import selectors
from ..models import Pipeline
from ..services.opportunities import change_stage
from .common import page, parse_date, parse_int


def _filters(params) -> dict:
    return {
        "owner_id": parse_int(params.get("owner")),
        "close_from": parse_date(params.get("close_from")),
        "close_to": parse_date(params.get("close_to")),
    }


@login_required
@permission_required("crm.view_opportunity", raise_exception=True)
def board_index(request):
    """The first pipeline's board (or a hint to create one)."""
    company = request.user.company or default_company()
    pipeline = selectors.default_pipeline(company)
    if pipeline is None:
        return page(request, "crm/board.html", {"pipeline": None, "columns": []}, "Pipeline")
    return redirect("crm:board", pipeline_id=pipeline.pk)


@login_required
@permission_required("crm.view_opportunity", raise_exception=True)
def board(request, pipeline_id: int):
    """Columns with counts and totals; cards the user may see, filtered by owner and
    expected close. A constant number of queries, whatever the number of cards."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    filters = _filters(request.GET)
    sees_all = selectors.sees_all_opportunities(request.user)
    columns = selectors.board(pipeline, request.user, **filters)
    owners = (
        get_user_model()
        .objects.filter(owned_opportunities__pipeline=pipeline, owned_opportunities__status="open")
        .distinct()
        .order_by("first_name", "last_name", "username")
        if sees_all
        else []
    )
    return page(
        request,
        "crm/board.html",
        {
            "pipeline": pipeline,
            "pipelines": Pipeline.objects.filter(company_id=pipeline.company_id, active=True),
            "columns": columns,
            "owners": owners,
            "sees_all": sees_all,
            "may_move": request.user.has_perm("crm.change_opportunity"),
            "filters": filters,
            "opportunity_base": reverse("admin:crm_opportunity_changelist"),
        },
        f"Pipeline: {pipeline.name}",
    )


@login_required
@require_POST
@permission_required("crm.change_opportunity", raise_exception=True)
def move(request, pipeline_id: int, opportunity_id: int):
    """htmx: move a card to the stage it was dropped on.

    Success: a message, and the two columns' headers and the card (new version)
    swapped out of band. Refusal: the reason, and an `crm-move-refused` event the
    board answers by putting the card back in its column. htmx swaps only 2xx
    answers, so a refusal is a 200 for htmx and its 4xx otherwise.
    """
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    visible = selectors.opportunities_visible_to(request.user)
    opportunity = get_object_or_404(visible, pk=opportunity_id, pipeline=pipeline)
    from_stage = opportunity.stage_id
    try:
        stage_id = parse_int(request.POST.get("stage"))
        if stage_id is None:
            raise InvalidInput("Say which stage to move it to.", field="stage")
        moved = change_stage(
            opportunity.pk, stage_id, by=request.user, version=request.POST.get("version")
        )
    except DomainError as refusal:
        response = TemplateResponse(
            request,
            "crm/board.html#move-result",
            {"ok": False, "message": refusal.detail},
            status=200 if request.headers.get("HX-Request") else refusal.status,
        )
        response["HX-Trigger"] = json.dumps(
            {"crm-move-refused": {"id": opportunity.pk, "stage": from_stage}}
        )
        return response
    filters = _filters(request.POST)
    columns = selectors.board(
        pipeline, request.user, only_stages={from_stage, moved.stage_id}, **filters
    )
    card = next((c for col in columns for c in col.cards if c.id == moved.pk), None)
    return TemplateResponse(
        request,
        "crm/board.html#move-result",
        {
            "ok": True,
            "message": f"“{moved.name}” moved to {moved.stage.name}.",
            "columns": columns,
            "card": card,
            "may_move": True,
            "opportunity_base": reverse("admin:crm_opportunity_changelist"),
        },
    )
