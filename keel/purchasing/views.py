"""Workspace pages of purchasing that are not lists of records: an RFQ's bid
comparison with the award button, an order's procure-to-pay trail, supplier
performance and spend."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from keel.core.api.views import company_of
from keel.core.errors import DomainError

from . import performance, selectors
from .services import rfqs


def _rfq(request, rfq_id: int):
    found = selectors.rfqs_of(company_of(request.user).pk).filter(pk=rfq_id).first()
    if found is None:
        raise Http404("No such RFQ.")
    return found


@login_required
@permission_required("purchasing.view_rfq", raise_exception=True)
@require_http_methods(["GET"])
def bids(request, rfq_id: int):
    """Every invited vendor's price and lead time per line, its total and longest lead
    time, cheapest complete bid first; an award button per complete bid."""
    rfq = _rfq(request, rfq_id)
    lines = list(rfq.lines.all())
    found = selectors.bid_comparison(rfq)
    cheapest_per_line = {
        line.pk: min((b.prices[line.pk] for b in found if line.pk in b.prices), default=None)
        for line in lines
    }
    rows = [
        {
            "line": line,
            "cells": [
                {
                    "price": bid.prices.get(line.pk),
                    "lead_days": bid.lead_days.get(line.pk),
                    "best": bid.prices.get(line.pk) is not None
                    and bid.prices.get(line.pk) == cheapest_per_line[line.pk],
                }
                for bid in found
            ],
        }
        for line in lines
    ]
    context = {
        **admin.site.each_context(request),
        "title": f"Bid comparison: {rfq}",
        "rfq": rfq,
        "bids": found,
        "rows": rows,
        "may_award": request.user.has_perm("purchasing.award_rfq") and rfq.status == "sent",
    }
    return TemplateResponse(request, "purchasing/bids.html", context)


@login_required
@require_http_methods(["POST"])
def award(request, rfq_id: int):
    """Award the RFQ to the posted vendor: its reply becomes a draft purchase order."""
    if not request.user.has_perm("purchasing.award_rfq"):
        raise PermissionDenied
    rfq = _rfq(request, rfq_id)
    try:
        order = rfqs.award(rfq.pk, vendor=request.POST.get("vendor"), by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect(reverse("purchasing:bids", args=[rfq.pk]))
    messages.success(request, f"{rfq} awarded: {order} is a draft to submit.")
    return redirect(reverse("admin:purchasing_purchaseorder_change", args=[order.pk]))


@login_required
@permission_required("purchasing.view_purchaseorder", raise_exception=True)
@require_http_methods(["GET"])
def order_trail(request, order_id: int):
    """The procure-to-pay trail of an order: origin, approval, receipts, bills with
    their match, payments."""
    order = selectors.orders_of(company_of(request.user).pk).filter(pk=order_id).first()
    if order is None:
        raise Http404("No such purchase order.")
    context = {
        **admin.site.each_context(request),
        "title": f"Procure to pay: {order}",
        "trail": selectors.trail(order),
    }
    return TemplateResponse(request, "purchasing/trail.html", context)


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


# Chart.js options: unfold's defaults hide the y axis; amounts want it.
SPEND_CHART_OPTIONS = json.dumps(
    {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "plugins": {"legend": {"display": False}, "tooltip": {"enabled": True}},
        "scales": {
            "x": {"ticks": {"color": "#9ca3af"}, "grid": {"display": False}},
            "y": {"ticks": {"color": "#9ca3af"}, "grid": {"color": "#e5e7eb"}},
        },
    }
)


@login_required
@permission_required("purchasing.view_purchaseorder", raise_exception=True)
@require_http_methods(["GET"])
def supplier_performance(request):
    """`?from=&to=` (default: this year so far): per vendor the on-time rate, actual
    against promised lead time and price variance; spend by vendor, category, month."""
    company = company_of(request.user)
    today = timezone.localdate()
    date_from = _date(request.GET.get("from"), today.replace(month=1, day=1))
    date_to = _date(request.GET.get("to"), today)
    spent = performance.spend(company.pk, date_from, date_to, company.currency)
    chart = json.dumps(
        {
            "labels": [month for month, _ in spent.by_month],
            "datasets": [
                {
                    "label": f"Spend ({company.currency})",
                    "data": [float(amount) for _, amount in spent.by_month],
                    "backgroundColor": "var(--color-primary-600)",
                }
            ],
        }
    )
    context = {
        **admin.site.each_context(request),
        "title": "Supplier performance and spend",
        "date_from": date_from,
        "date_to": date_to,
        "vendors": performance.supplier_performance(company.pk, date_from, date_to),
        "spend": spent,
        "currency": company.currency,
        "chart": chart,
        "chart_options": SPEND_CHART_OPTIONS,
    }
    return TemplateResponse(request, "purchasing/performance.html", context)
