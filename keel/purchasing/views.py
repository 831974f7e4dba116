"""Workspace pages of purchasing that are not lists of records: an RFQ's bid
comparison with the award button, changing a draft purchase order, an order's
procure-to-pay trail, supplier performance and spend."""

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
from keel.core.form_errors import show_at_field
from keel.core.money import format_money
from keel.core.versioned_forms import seen_version

from . import performance, selectors
from .forms import EMPTY_ROWS, DraftOrderForm, OrderLineFormSet
from .services import orders, rfqs


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


def _order(request, order_id: int):
    found = selectors.orders_of(company_of(request.user).pk).filter(pk=order_id).first()
    if found is None:
        raise Http404("No such purchase order.")
    return found


def _line_rows(order) -> list[dict]:
    return [
        {
            "product": line.product,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "lead_days": line.lead_days,
        }
        for line in order.lines.all()
    ]


# Whoever may create purchase orders may finish their drafts.
@login_required
@permission_required("purchasing.add_purchaseorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_order(request, order_id: int):
    """A draft's vendor, reference, date and lines; POST saves them through
    orders.update_draft and shows its refusals at the field, the input kept."""
    order = _order(request, order_id)
    back = reverse("admin:purchasing_purchaseorder_change", args=[order.pk])
    if request.method == "GET":
        try:
            orders.require_draft(order)
        except DomainError as refused:
            messages.error(request, refused.detail)
            return redirect(back)
    line_kwargs = {"form_kwargs": {"company_id": order.company_id}, "prefix": "lines"}
    if request.method == "POST":
        form = DraftOrderForm(request.POST, instance=order)
        lines = OrderLineFormSet(request.POST, **line_kwargs)
        if form.is_valid() and lines.is_valid():
            filled = [row for row in lines if row.cleaned_data.get("product")]
            data = form.cleaned_data
            try:
                saved = orders.update_draft(
                    order.pk,
                    by=request.user,
                    version=seen_version(form),
                    vendor=data["vendor"],
                    vendor_ref=data["vendor_ref"],
                    order_date=data["order_date"],
                    lines=[row.as_line() for row in filled],
                )
            except DomainError as error:
                show_at_field(error, form, filled)
            else:
                total = format_money(saved.amount_total, saved.currency)
                messages.success(request, f"{saved} saved: {total}.")
                return redirect(back)
    else:
        form = DraftOrderForm(instance=order)
        lines = OrderLineFormSet(initial=_line_rows(order) + [{}] * EMPTY_ROWS, **line_kwargs)
    context = {
        **admin.site.each_context(request),
        "title": f"Change {order}",
        "order": order,
        "form": form,
        "lines": lines,
        "back": back,
    }
    return TemplateResponse(request, "purchasing/edit_order.html", context)


@login_required
@permission_required("purchasing.view_purchaseorder", raise_exception=True)
@require_http_methods(["GET"])
def order_trail(request, order_id: int):
    """The procure-to-pay trail of an order: origin, approval, receipts, bills with
    their match, payments."""
    order = _order(request, order_id)
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
