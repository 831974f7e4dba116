"""Sales analysis: revenue, cost and margin by any slice, each row drilling into the
next slice, down to the invoice lines; downloads hold exactly what is shown."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.template.response import TemplateResponse

from keel.accounting.exports.tables import Table, download, quantity_cell
from keel.core.db_routing import reads_from_replica
from keel.core.params import date_param, int_param

from ..selectors.sales import (
    DRILL,
    FILTERS,
    GRAINS,
    SLICES,
    Filters,
    Summary,
    label_of,
    sales_lines,
    sales_summary,
)
from .common import EXPORTS, PERM, page_context

SUMMARY_COLUMNS = [
    ("quantity", "Quantity"),
    ("revenue", "Revenue"),
    ("cost", "Cost of goods"),
    ("margin", "Margin"),
    ("margin_percent", "Margin %"),
]
LINE_COLUMNS = [
    ("invoice", "Invoice"),
    ("date", "Date"),
    ("customer", "Customer"),
    ("product", "Product"),
    ("quantity", "Quantity"),
    ("unit_price", "Unit price"),
    ("revenue", "Revenue"),
    ("cost", "Cost of goods"),
    ("margin", "Margin"),
]


def _params(request) -> tuple[str, str, Filters]:
    slice_ = request.GET.get("slice")
    slice_ = slice_ if slice_ in SLICES or slice_ == "lines" else "customer"
    grain = request.GET.get("grain") if request.GET.get("grain") in GRAINS else "month"
    ids = {name: int_param(request.GET.get(name)) for name in FILTERS}
    filters = Filters(
        date_from=date_param(request.GET.get("date_from")),
        date_to=date_param(request.GET.get("date_to")),
        ids={name: value for name, value in ids.items() if value is not None},
    )
    return slice_, grain, filters


def _query(slice_: str, grain: str, filters: Filters) -> str:
    params = {"slice": slice_, "grain": grain, **filters.ids}
    if filters.date_from:
        params["date_from"] = filters.date_from.isoformat()
    if filters.date_to:
        params["date_to"] = filters.date_to.isoformat()
    return urlencode(params)


def _drill(row, summary: Summary, grain: str, filters: Filters) -> str:
    """The link of a row: the next slice, filtered to the row."""
    if summary.slice == "period":
        narrowed = filters.with_(date_from=row.date_from, date_to=row.date_to)
    elif row.key is None:
        return ""
    else:
        narrowed = filters.with_(**{summary.slice: row.key})
    return "?" + _query(DRILL[summary.slice], grain, narrowed)


def _summary_cells(row) -> dict:
    return {
        "label": row.label,
        "quantity": quantity_cell(row.quantity),
        "revenue": row.revenue,
        "cost": row.cost,
        "margin": row.margin,
        "margin_percent": "" if row.margin_percent is None else float(row.margin_percent),
    }


def _line_cells(line) -> dict:
    return {
        **{key: getattr(line, key) for key, _ in LINE_COLUMNS},
        "quantity": quantity_cell(line.quantity),
    }


@login_required
@permission_required(PERM, raise_exception=True)
@reads_from_replica
def sales(request):
    """`?slice=customer|product|category|region|channel|rep|period|lines&grain=month|
    quarter|year&date_from=&date_to=&customer=ID&product=ID&...&export=csv|xlsx`."""
    slice_, grain, filters = _params(request)
    applied = [
        (name, SLICES[name], label_of(name, value), _query(slice_, grain, _without(filters, name)))
        for name, value in filters.ids.items()
    ]
    scope = ", ".join(f"{title} {label}" for _, title, label, _ in applied) or "all sales"
    dates = f"{filters.date_from or '…'} to {filters.date_to or '…'}"
    export = request.GET.get("export")
    if slice_ == "lines":
        lines = sales_lines(request.user, filters)
        if export in EXPORTS:
            table = Table(
                title="Sales lines",
                subtitle=f"{scope}, {dates}",
                columns=LINE_COLUMNS,
                rows=[_line_cells(line) for line in lines],
                slug="sales-lines",
            )
            return download(table, export)
        context = {"lines": lines}
    else:
        summary = sales_summary(request.user, slice_, filters, grain)
        if export in EXPORTS:
            table = Table(
                title=f"Sales by {SLICES[slice_].lower()}",
                subtitle=f"{scope}, {dates}",
                columns=[("label", SLICES[slice_]), *SUMMARY_COLUMNS],
                rows=[_summary_cells(row) for row in summary.rows],
                totals=_summary_cells(summary.total),
                slug=f"sales-by-{slice_}",
            )
            return download(table, export)
        context = {
            "summary": summary,
            "rows": [(row, _drill(row, summary, grain, filters)) for row in summary.rows],
        }
    context = page_context(
        request,
        "Sales analysis",
        **context,
        slice=slice_,
        slice_title=SLICES.get(slice_, "Invoice line"),
        slices=SLICES,
        grain=grain,
        grains=list(GRAINS),
        filters=filters,
        applied=applied,
        query=_query(slice_, grain, filters),
        hidden=filters.ids.items(),
        exports=EXPORTS,
    )
    return TemplateResponse(request, "analytics/sales.html", context)


def _without(filters: Filters, name: str) -> Filters:
    return Filters(
        date_from=filters.date_from,
        date_to=filters.date_to,
        ids={k: v for k, v in filters.ids.items() if k != name},
    )
