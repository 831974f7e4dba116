"""The lead-to-cash trail of one order or opportunity, and the average time of each
stage over a period by rep or channel (with CSV/XLSX downloads)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from keel.accounting.exports.tables import Table, download
from keel.core.db_routing import reads_from_replica
from keel.core.params import date_param
from keel.crm.selectors import opportunities_visible_to

from ..selectors.cycle_times import GROUPS, lead_to_cash_times, stage_labels
from ..selectors.scope import orders_visible_to
from ..selectors.trail import Trail
from ..selectors.trail import opportunity_trail as read_opportunity_trail
from ..selectors.trail import order_trail as read_order_trail
from .common import EXPORTS, PERM, page_context


def _trail_page(request, trail: Trail, party):
    context = page_context(request, trail.title, trail=trail, party=party)
    return TemplateResponse(request, "analytics/trail.html", context)


@login_required
@permission_required(PERM, raise_exception=True)
@reads_from_replica
def order_trail(request, order_id: int):
    """Lead -> ... -> payments of an order the user may see (else 404)."""
    order = get_object_or_404(orders_visible_to(request.user), pk=order_id)
    return _trail_page(request, read_order_trail(order), order.party)


@login_required
@permission_required(PERM, raise_exception=True)
@reads_from_replica
def opportunity_trail(request, opportunity_id: int):
    """The trail of an opportunity the user may see (else 404): each quotation and
    what became of it."""
    opportunity = get_object_or_404(
        opportunities_visible_to(request.user).filter(company_id=request.user.company_id),
        pk=opportunity_id,
    )
    return _trail_page(request, read_opportunity_trail(opportunity), opportunity.party)


def _period(request) -> tuple[dt.date, dt.date]:
    """`?date_from=&date_to=`, by default the last twelve months to today."""
    today = timezone.localdate()
    date_to = date_param(request.GET.get("date_to")) or today
    date_from = date_param(request.GET.get("date_from")) or date_to.replace(
        year=date_to.year - 1
    ) + dt.timedelta(days=1)
    return date_from, date_to


@login_required
@permission_required(PERM, raise_exception=True)
@reads_from_replica
def lead_to_cash(request):
    """`?date_from=&date_to=&by=rep|channel|all&export=csv|xlsx`: average days of
    each stage for the orders dated in the period, to find where orders wait."""
    date_from, date_to = _period(request)
    by = request.GET.get("by") if request.GET.get("by") in GROUPS else "rep"
    groups, overall = lead_to_cash_times(request.user, date_from, date_to, by)
    labels = stage_labels()
    rows = [*groups, overall] if by != "all" else [overall]
    export = request.GET.get("export")
    if export in EXPORTS:
        columns = [("group", GROUPS[by]), ("orders", "Orders")] + [
            (f"stage{index}", f"{label} (days)") for index, label in enumerate(labels)
        ]
        table = Table(
            title="Lead-to-cash time",
            subtitle=f"Orders dated {date_from} to {date_to}, average days per stage",
            columns=columns,
            rows=[
                {
                    "group": group.label,
                    "orders": group.orders,
                    **{
                        f"stage{index}": _cell(group.average(label))
                        for index, label in enumerate(labels)
                    },
                }
                for group in rows
            ],
            slug="lead-to-cash",
        )
        return download(table, export)
    context = page_context(
        request,
        "Lead-to-cash time",
        labels=labels,
        rows=[(group, [group.average(label) for label in labels]) for group in rows],
        by=by,
        groups=GROUPS,
        by_label=GROUPS[by],
        date_from=date_from,
        date_to=date_to,
        query=request.GET.urlencode(),
        exports=EXPORTS,
    )
    return TemplateResponse(request, "analytics/lead_to_cash.html", context)


def _cell(value):
    """Days to one decimal as a number for the spreadsheet ('' when no order got there)."""
    return "" if value is None else float(value)
