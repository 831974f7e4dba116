"""Report pages of stock: the valuation (with the stock account beside it), stock on
hand by location and the move history, each with filters and CSV/XLSX downloads
(the accounting reports' exporters)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from keel.accounting.exports.tables import Table
from keel.accounting.exports.tables import download as _download
from keel.accounting.exports.tables import quantity_cell as _number
from keel.core.api.views import company_of
from keel.core.db_routing import reads_from_replica
from keel.core.params import date_param as _date
from keel.core.params import int_param as _int
from keel.products.models import ProductCategory

from . import selectors

EXPORTS = ("csv", "xlsx")
PAGE = 100


def _page(request, rows):
    """One page of `rows` (a count and a slice: two queries whatever the size)."""
    return Paginator(rows, PAGE).get_page(request.GET.get("page"))


def _query(request) -> str:
    """The filters, without page or export, for the download and paging links."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()


VALUATION_COLUMNS = [
    ("sku", "SKU"),
    ("name", "Product"),
    ("category", "Category"),
    ("costing_method", "Costing"),
    ("quantity", "Quantity"),
    ("unit_cost", "Unit cost"),
    ("value", "Value"),
]


@login_required
@permission_required("inventory.view_valuationlayer", raise_exception=True)
@reads_from_replica
def valuation(request):
    """`?category=ID&warehouse=ID&export=csv|xlsx`: quantity, unit cost and value per
    product, their total, and the stock account's balance beside it."""
    company = company_of(request.user)
    categories = list(
        ProductCategory.objects.filter(company=company).only("id", "full_name", "path")
    )
    warehouses = list(selectors.warehouses_of(company.pk).filter(active=True))
    category = next((c for c in categories if c.pk == _int(request.GET.get("category"))), None)
    warehouse = next((w for w in warehouses if w.pk == _int(request.GET.get("warehouse"))), None)
    report = selectors.valuation_report(
        company.pk, company.currency, category=category, warehouse=warehouse
    )
    export = request.GET.get("export")
    if export in EXPORTS:
        scope = ", ".join(str(x) for x in (category, warehouse) if x) or "all stock"
        table = Table(
            title="Stock valuation",
            subtitle=f"{company.name}, {scope}; stock account {report.stock_account}",
            columns=VALUATION_COLUMNS,
            rows=[
                {
                    **vars(row),
                    "quantity": _number(row.quantity),
                    "unit_cost": _number(row.unit_cost),
                }
                for row in report.rows
            ],
            totals={"name": "Total", "quantity": _number(report.quantity), "value": report.value},
            slug="stock-valuation",
        )
        return _download(table, export)
    context = {
        **admin.site.each_context(request),
        "title": "Stock valuation",
        "report": report,
        "categories": categories,
        "warehouses": warehouses,
        "category": category,
        "warehouse": warehouse,
        "currency": company.currency,
        "query": _query(request),
        "exports": EXPORTS,
    }
    return TemplateResponse(request, "inventory/valuation.html", context)


ON_HAND_COLUMNS = [
    ("location", "Location"),
    ("sku", "SKU"),
    ("product", "Product"),
    ("lot", "Lot/serial"),
    ("on_hand", "On hand"),
    ("reserved", "Reserved"),
    ("available", "Available"),
]


@login_required
@permission_required("inventory.view_stocklevel", raise_exception=True)
@reads_from_replica
def on_hand(request):
    """`?warehouse=ID&location=ID&product=text&lot=text&export=csv|xlsx`: what is on
    hand where, by location, product and lot."""
    company_id = company_of(request.user).pk
    filters = {
        "warehouse": _int(request.GET.get("warehouse")),
        "location": _int(request.GET.get("location")),
        "product": request.GET.get("product", "").strip(),
        "lot": request.GET.get("lot", "").strip(),
    }
    levels = selectors.stock_on_hand(company_id, **filters)
    export = request.GET.get("export")
    if export in EXPORTS:
        rows = [
            {
                "location": level.location.full_name,
                "sku": level.product.sku,
                "product": level.product.name,
                "lot": level.lot.name if level.lot else "",
                "on_hand": _number(level.on_hand),
                "reserved": _number(level.reserved),
                "available": _number(level.available),
            }
            for level in levels
        ]
        table = Table(title="Stock on hand", columns=ON_HAND_COLUMNS, rows=rows, slug="stock")
        return _download(table, export)
    context = {
        **admin.site.each_context(request),
        "title": "Stock by location",
        "page": _page(request, levels),
        "filters": filters,
        "warehouses": selectors.warehouses_of(company_id).filter(active=True),
        "locations": selectors.locations_of(company_id)
        .select_related(None)
        .filter(usage__in=["internal", "view"], active=True, warehouse__isnull=False)
        .only("id", "full_name"),
        "query": _query(request),
        "exports": EXPORTS,
    }
    return TemplateResponse(request, "inventory/on_hand.html", context)


MOVE_COLUMNS = [
    ("date", "Date"),
    ("transfer", "Transfer"),
    ("sku", "SKU"),
    ("product", "Product"),
    ("lot", "Lot/serial"),
    ("source", "From"),
    ("destination", "To"),
    ("quantity", "Quantity"),
]


@login_required
@permission_required("inventory.view_transfer", raise_exception=True)
@reads_from_replica
def moves(request):
    """`?product=text&lot=text&date_from=&date_to=&transfer=text&export=csv|xlsx`: the
    done moves, newest first."""
    company_id = company_of(request.user).pk
    filters = {
        "product": request.GET.get("product", "").strip(),
        "lot": request.GET.get("lot", "").strip(),
        "date_from": _date(request.GET.get("date_from")),
        "date_to": _date(request.GET.get("date_to")),
        "transfer": request.GET.get("transfer", "").strip(),
    }
    lines = selectors.move_history(company_id, **filters)
    export = request.GET.get("export")
    if export in EXPORTS:
        rows = [
            {
                "date": line.move.date,
                "transfer": line.move.transfer.number,
                "sku": line.product.sku,
                "product": line.product.name,
                "lot": line.lot.name if line.lot else "",
                "source": line.source.full_name,
                "destination": line.destination.full_name,
                "quantity": _number(line.quantity_done),
            }
            for line in lines
        ]
        table = Table(title="Move history", columns=MOVE_COLUMNS, rows=rows, slug="moves")
        return _download(table, export)
    context = {
        **admin.site.each_context(request),
        "title": "Move history",
        "page": _page(request, lines),
        "filters": filters,
        "query": _query(request),
        "exports": EXPORTS,
    }
    return TemplateResponse(request, "inventory/moves.html", context)
