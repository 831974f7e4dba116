"""The rep's quotation builder: a new quotation from an opportunity (its customer,
contact and currency carried over) or directly, with line rows whose price, price
rule, available quantity and promise date show live as the rep types (an htmx
fragment); saving calls quotations.create_quotation and shows its refusals at the
field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from keel.core.api.views import company_of
from keel.core.errors import DomainError
from keel.core.form_errors import show_at_field
from keel.crm.selectors import may_manage_opportunity, opportunities_visible_to
from keel.inventory.models import Warehouse
from keel.parties.models import Party
from keel.products.models import Product

from . import selectors
from .forms import LINE_ROWS, LineFormSet, QuotationForm
from .services import quotations

ADD = "sales.add_quotation"


def _opportunity(request, company):
    """The opportunity quoted from (?opportunity=…), if the user may quote it."""
    pk = request.POST.get("opportunity") or request.GET.get("opportunity")
    if not pk:
        return None
    found = opportunities_visible_to(request.user).filter(company=company, pk=pk).first()
    if found is None or not may_manage_opportunity(request.user, found):
        raise PermissionDenied("Only the opportunity's owner or a sales manager can quote it.")
    return found


def _row_previews(line_forms, party, warehouse, on_date) -> list:
    previews = []
    for row in line_forms:
        data = getattr(row, "cleaned_data", None) or {}
        previews.append(
            _preview(party, warehouse, data.get("product"), data.get("quantity"), on_date)
        )
    return previews


def _preview(party, warehouse, product, quantity, on_date):
    """The live preview of one row, or the reason there is none yet."""
    if product is None or warehouse is None:
        return None
    if quantity is None or quantity <= 0:
        return {"error": "Enter a quantity above zero to see price and stock."}
    try:
        return {"line": selectors.preview_line(warehouse, party, product, quantity, on_date)}
    except DomainError as error:
        return {"error": error.detail}


@login_required
@permission_required(ADD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def new_quotation(request):
    """The builder; POST saves a draft quotation and opens it."""
    company = company_of(request.user)
    opportunity = _opportunity(request, company)
    today = timezone.localdate()
    line_kwargs = {"form_kwargs": {"company": company}, "prefix": "lines"}
    if request.method == "POST":
        form = QuotationForm(company, request.POST)
        lines = LineFormSet(request.POST, **line_kwargs)
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                quote = quotations.create_quotation(
                    company,
                    opportunity=opportunity,
                    party=data["party"],
                    contact=data["contact"],
                    warehouse=data["warehouse"],
                    quote_date=today,
                    valid_until=data["valid_until"],
                    invoicing_policy=data["invoicing_policy"],
                    lines=[line for row in lines if (line := row.as_line()) is not None],
                    by=request.user,
                )
            except DomainError as error:
                show_at_field(
                    error, form, [row for row in lines if row.cleaned_data.get("product")]
                )
            else:
                messages.success(request, f"{quote} saved as a draft; send it when ready.")
                return redirect(reverse("admin:sales_quotation_change", args=[quote.pk]))
        status = 400
    else:
        initial = {
            "opportunity": opportunity,
            "party": opportunity.party if opportunity else None,
            "contact": opportunity.contact if opportunity else None,
            "warehouse": Warehouse.objects.filter(company=company).order_by("pk").first(),
            "valid_until": today + dt.timedelta(days=quotations.DEFAULT_VALIDITY_DAYS),
        }
        form = QuotationForm(company, initial=initial)
        lines = LineFormSet(initial=[{"discount": 0}] * LINE_ROWS, **line_kwargs)
        status = 200
    party = form.cleaned_data.get("party") if form.is_bound and form.is_valid() else None
    warehouse = form.cleaned_data.get("warehouse") if form.is_bound and form.is_valid() else None
    previews = (
        _row_previews(lines.forms, party or (opportunity and opportunity.party), warehouse, today)
        if form.is_bound
        else [None] * len(lines.forms)
    )
    context = {
        **admin.site.each_context(request),
        "title": f"New quotation{f' for {opportunity}' if opportunity else ''}",
        "form": form,
        "lines": lines,
        "rows": list(zip(lines.forms, previews, strict=True)),
        "opportunity": opportunity,
        "today": today,
    }
    return TemplateResponse(request, "sales/builder.html", context, status=status)


@login_required
@permission_required(ADD, raise_exception=True)
@require_http_methods(["GET"])
def line_preview(request):
    """The fragment under one line row: unit price and the rule that gave it, available
    to promise today and the date the whole quantity can be promised."""
    company = company_of(request.user)
    row = request.GET.get("row", "")
    if not re.fullmatch(r"lines-\d+", row):
        return TemplateResponse(request, "sales/builder_preview.html", {"preview": None})

    def pick(model, key):
        value = request.GET.get(key) or ""
        return model.objects.filter(company=company, pk=value).first() if value.isdigit() else None

    product = pick(Product, f"{row}-product")
    try:
        quantity = Decimal(request.GET.get(f"{row}-quantity") or "0")
    except InvalidOperation:
        quantity = None
    preview = _preview(
        pick(Party, "party"), pick(Warehouse, "warehouse"), product, quantity, timezone.localdate()
    )
    return TemplateResponse(request, "sales/builder_preview.html", {"preview": preview})
