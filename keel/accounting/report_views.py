"""Report pages of the workspace: filters, the table with drill-down links (entry ->
its admin page, account -> general ledger, party -> statement) and downloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse

from keel.core.db_routing import reads_from_replica
from keel.core.errors import DomainError

from . import selectors
from .exports.catalog import REPORTS
from .exports.tables import FORMATS, render
from .report_forms import report_params

PERM = "accounting.view_reports"


@login_required
@permission_required(PERM, raise_exception=True)
def index(request):
    context = {**admin.site.each_context(request), "title": "Financial reports"}
    context["reports"] = list(REPORTS.values())
    return TemplateResponse(request, "accounting/reports/index.html", context)


def _shown(value):
    """Amounts as people read them: 1750.0000 -> '1,750.00' (exports keep full values)."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return value


@login_required
@permission_required(PERM, raise_exception=True)
@reads_from_replica
def report(request, name: str):
    found = REPORTS.get(name)
    if found is None:
        raise Http404("No such report")
    company_id = selectors.company_id_of(request.user)
    context = {**admin.site.each_context(request), "title": found.title, "report": found}
    context["accounts"] = selectors.accounts_of(company_id).only("id", "code", "name")
    try:
        params = report_params(found, request.GET, company_id, dt.date.today())
        _data, table = found.run(company_id, params)
    except DomainError as error:
        context["error"] = error.detail
        return TemplateResponse(request, "accounting/reports/report.html", context, status=400)
    export = request.GET.get("export")
    if export in FORMATS:
        content, content_type, filename = render(table, export)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    keys = [key for key, _ in table.columns]
    context.update(
        params=params,
        table=table,
        rows=[(row, [(key, _shown(row.get(key))) for key in keys]) for row in table.rows],
        totals=[(key, _shown(table.totals.get(key))) for key in keys] if table.totals else None,
        query=request.GET.urlencode(),
        formats=list(FORMATS),
    )
    return TemplateResponse(request, "accounting/reports/report.html", context)
