"""Workspace pages of stock that are not lists of records: the stock forecast of a
product (projected on hand per warehouse, the dated moves to come)."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.template.response import TemplateResponse
from django.utils import timezone

from keel.core.api.views import company_of

from . import selectors

HORIZONS = (30, 60, 90)
COLORS = ["var(--color-primary-600)", "#f59e0b", "#10b981", "#ef4444", "#6366f1"]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# Chart.js options (unfold's defaults hide the legend and the y axis): a legend naming
# the warehouses, the quantity axis, a dashed zero line, about ten dates along x.
CHART_OPTIONS = json.dumps(
    {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "datasets": {"line": {"borderWidth": 2, "pointStyle": False}},
        "plugins": {
            "legend": {
                "display": True,
                "align": "end",
                "labels": {"boxHeight": 5, "boxWidth": 5, "usePointStyle": True},
            },
            "tooltip": {"enabled": True},
        },
        "scales": {
            "x": {"ticks": {"color": "#9ca3af", "maxTicksLimit": 10}, "grid": {"display": False}},
            "y": {"ticks": {"color": "#9ca3af"}, "grid": {"color": "#e5e7eb"}},
        },
    }
)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _chart(days: list[dt.date], lines: list[tuple[str, list]]) -> str:
    """Chart.js `data` for unfold's line component: one line per warehouse."""
    return json.dumps(
        {
            "labels": [d.isoformat() for d in days],
            "datasets": [
                {
                    "label": label,
                    "data": [float(v) for v in values],
                    "borderColor": COLORS[index % len(COLORS)],
                    "backgroundColor": COLORS[index % len(COLORS)],
                    "stepped": True,
                }
                for index, (label, values) in enumerate(lines)
            ],
        }
    )


@login_required
@permission_required("inventory.view_stocklevel", raise_exception=True)
def forecast(request):
    """`?product=ID&days=30|60|90&start=YYYY-MM-DD`: the product's projected on hand per
    warehouse, day by day from `start` (today), and the open receipts, deliveries and
    transfers by date."""
    company_id = company_of(request.user).pk
    today = _date(request.GET.get("start")) or timezone.localdate()
    days = _int(request.GET.get("days"))
    days = days if days in HORIZONS else HORIZONS[0]
    context = {
        **admin.site.each_context(request),
        "title": "Stock forecast",
        "products": selectors.stockable_products(company_id),
        "horizons": HORIZONS,
        "days": days,
        "today": today,
    }
    product = (
        selectors.stockable_products(company_id).filter(pk=_int(request.GET.get("product"))).first()
    )
    if product is None:
        return TemplateResponse(request, "inventory/forecast.html", context)
    warehouses = list(selectors.warehouses_of(company_id).filter(active=True))
    found = selectors.positions(product, warehouses)
    rows, lines = [], []
    for warehouse in warehouses:
        position = found[warehouse.pk]
        series = selectors.series_of(position, today, days)
        lines.append((warehouse.code, [d.on_hand for d in series]))
        last = series[-1]
        rows.append(
            {
                "warehouse": warehouse,
                "on_hand": position.on_hand,
                "reserved": position.reserved,
                "available": position.available,
                "on_hand_end": last.on_hand,
                "available_end": last.available,
            }
        )
    end = today + dt.timedelta(days=days)
    moves = sorted(
        (m for position in found.values() for m in position.moves if m.date <= end),
        key=lambda m: (m.date, m.number),
    )
    by_code = {w.pk: w.code for w in warehouses}
    context.update(
        product=product,
        rows=rows,
        chart=_chart([today + dt.timedelta(days=n) for n in range(days + 1)], lines),
        moves=[(m, by_code[m.warehouse_id], m.date < today) for m in moves],
        end=end,
        chart_options=CHART_OPTIONS,
        chart_title=f"Projected on hand per warehouse, {today:%Y-%m-%d} to {end:%Y-%m-%d}",
    )
    return TemplateResponse(request, "inventory/forecast.html", context)


@login_required
@permission_required("inventory.view_replenishmentrule", raise_exception=True)
def below_minimum(request):
    """Products whose projected available (today + the rule's lead days) is below the
    rule's minimum in a warehouse, with the quantity to order up to the maximum."""
    today = _date(request.GET.get("start")) or timezone.localdate()
    company = company_of(request.user)
    context = {
        **admin.site.each_context(request),
        "title": "Below minimum",
        "today": today,
        "needs": selectors.replenishment_needs(company, today=today),
    }
    return TemplateResponse(request, "inventory/below_minimum.html", context)
