"""The pipeline board: stages as columns, open opportunities as cards, drag to move."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from keel.core.errors import DomainError, InvalidInput
from keel.core.selectors import default_company

from .. import selectors
from ..models import Pipeline
from ..services.opportunities import change_stage
from .common import page, parse_date, parse_int

# One card's markup. Drawn in Python, not with a template tag per card: the board
# must render thousands of cards in well under 300 ms (bench/crm_board.py), and
# Django's template engine costs ~0.5 ms per card. Every value is escaped.
CARD = (
    '<li id="opp-{id}" x-sort:item="{id}" data-stage="{stage}" data-version="{version}" '
    'data-pos="{pos}" data-testid="card"{oob} class="bg-white dark:bg-base-900 border '
    'border-base-200 dark:border-base-700 rounded-default p-2 shadow-xs{grab}">'
    '<a href="{base}{id}/change/" class="font-medium text-primary-600 block">{name}</a>'
    '<div class="text-xs">{party}</div><div class="flex justify-between text-xs mt-1">'
    "<span>{amount} {currency}</span><span>{close}</span></div>"
    '<div class="text-xs text-base-500">{owner}</div></li>'
)


def card_html(card, *, base: str, pos: int = 0, may_move: bool = False, oob: bool = False) -> str:
    return CARD.format(
        id=card.id,
        stage=card.stage_id,
        version=card.version,
        pos=pos,
        oob=' hx-swap-oob="true"' if oob else "",
        grab=" cursor-grab" if may_move else "",
        base=base,
        name=escape(card.name),
        party=escape(card.party),
        amount=card.amount_display,
        currency=escape(card.currency),
        close=card.expected_close.isoformat() if card.expected_close else "",
        owner=escape(card.owner),
    )


def cards_html(cards, *, base: str, may_move: bool) -> str:
    return mark_safe(  # noqa: S308 - built from escaped values only (card_html)
        "".join(
            card_html(card, base=base, pos=pos, may_move=may_move)
            for pos, card in enumerate(cards, start=1)
        )
    )


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
    may_move = request.user.has_perm("crm.change_opportunity")
    base = reverse("admin:crm_opportunity_changelist")
    drawn = [(column, cards_html(column.cards, base=base, may_move=may_move)) for column in columns]
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
            "columns": drawn,
            "owners": owners,
            "sees_all": sees_all,
            "may_move": may_move,
            "filters": filters,
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
            "card": mark_safe(  # noqa: S308 - escaped in card_html
                card_html(
                    card, base=reverse("admin:crm_opportunity_changelist"), may_move=True, oob=True
                )
            )
            if card
            else "",
        },
    )
