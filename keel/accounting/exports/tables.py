"""Any report as a table, and any table as CSV, XLSX or PDF (WeasyPrint).

A report selector returns nested dicts; `catalog.py` flattens each into a
`Table` (title, columns, rows, totals). Rows keep `entry_id`, `account_id`
and `party_id` so pages can link them (drill-down) without the exporters
knowing any URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from keel.core.documents import render_pdf

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict]
    subtitle: str = ""
    totals: dict | None = None
    slug: str = "report"
    notes: list[str] = field(default_factory=list)

    @property
    def money_keys(self) -> set[str]:
        sample = [*self.rows[:50], *([self.totals] if self.totals else [])]
        return {
            key for key, _ in self.columns for row in sample if isinstance(row.get(key), Decimal)
        }

    def cells(self, row: dict) -> list:
        return [row.get(key, "") for key, _ in self.columns]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Two decimals like the page, unless that would round: an export stays exact.
        cents = value.quantize(Decimal("0.01"))
        return f"{cents:f}" if cents == value else f"{value.normalize():f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def quantity_cell(value: Decimal) -> int | float:
    """A quantity or unit cost (4 decimals) for the exporters, which show a Decimal as
    money with 2: an int when whole, else a float (exact to 4 decimals up to 10^11)."""
    return int(value) if value == value.to_integral_value() else float(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in table.columns])
    for row in table.rows:
        writer.writerow([_text(value) for value in table.cells(row)])
    if table.totals:
        writer.writerow([_text(value) for value in table.cells(table.totals)])
    return out.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """Amounts as numbers with two decimals (exact: Excel keeps 15 significant digits)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append([table.title])
    if table.subtitle:
        sheet.append([table.subtitle])
    sheet.append([label for _, label in table.columns])
    money = table.money_keys
    for row in [*table.rows, *([table.totals] if table.totals else [])]:
        sheet.append([value if value is not None else "" for value in table.cells(row)])
        for index, (key, _) in enumerate(table.columns, 1):
            if key in money:
                sheet.cell(row=sheet.max_row, column=index).number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(table: Table) -> bytes:
    money = table.money_keys
    rows = [
        [
            (_text(value), key in money)
            for key, value in zip([k for k, _ in table.columns], table.cells(row), strict=True)
        ]
        for row in table.rows
    ]
    totals = (
        [
            (_text(v), k in money)
            for k, v in zip([k for k, _ in table.columns], table.cells(table.totals), strict=True)
        ]
        if table.totals
        else None
    )
    return render_pdf(
        "accounting/reports/table_pdf.html", {"table": table, "rows": rows, "totals": totals}
    )


def render(table: Table, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the table in `fmt` (csv, xlsx or pdf)."""
    writer = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[fmt]
    return writer(table), FORMATS[fmt], f"{table.slug}.{fmt}"


def download(table: Table, fmt: str):
    """An HTTP attachment of the table in `fmt` (csv, xlsx or pdf)."""
    from django.http import HttpResponse

    content, content_type, filename = render(table, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
