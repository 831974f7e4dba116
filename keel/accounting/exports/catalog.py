"""The reports pages and the API offer, each run from parsed parameters and
flattened into a `Table` for display and export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ..selectors.aged import BUCKET_LABELS, BUCKETS, aged_balance
from ..selectors.comparative import comparative_balance_sheet, comparative_profit_and_loss
from ..selectors.general_ledger import customer_statement, general_ledger
from ..selectors.reports import trial_balance
from .tables import Table

ZERO = Decimal(0)


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    needs: tuple[str, ...]  # parameters besides the dates: account, party, compare
    run: Callable[[int, dict], tuple[dict, Table]]


def _span(params: dict) -> str:
    return f"{params['date_from']} – {params['date_to']}"


def _trial_balance(company_id: int, params: dict):
    data = trial_balance(company_id, params["date_from"], params["date_to"])
    columns = [
        ("code", "Code"),
        ("name", "Account"),
        ("opening", "Opening"),
        ("debit", "Debit"),
        ("credit", "Credit"),
        ("closing", "Closing"),
    ]
    totals = {"code": "", "name": "Total", **data["totals"]}
    return data, Table(
        "Trial balance", columns, data["rows"], _span(params), totals, "trial-balance"
    )


def _general_ledger(company_id: int, params: dict):
    data = general_ledger(company_id, params["account"], params["date_from"], params["date_to"])
    columns = [
        ("date", "Date"),
        ("number", "Entry"),
        ("ref", "Reference"),
        ("label", "Label"),
        ("party", "Party"),
        ("debit", "Debit"),
        ("credit", "Credit"),
        ("balance", "Balance"),
    ]
    opening = {"date": params["date_from"], "ref": "Opening balance", "balance": data["opening"]}
    totals = {"ref": "Totals", "debit": data["debit"], "credit": data["credit"]}
    totals["balance"] = data["closing"]
    notes = ["More lines than shown: narrow the dates."] if data["truncated"] else []
    title = f"General ledger {data['code']} {data['name']}"
    table = Table(
        title, columns, [opening, *data["lines"]], _span(params), totals, "general-ledger"
    )
    table.notes = notes
    return data, table


def _comparative_rows(data: dict, sections: list[tuple[str, str, str]]) -> list[dict]:
    rows = []
    for key, label, total_key in sections:
        rows.append({"name": label, "section": True})
        rows.extend(data[key])
        rows.append({"name": f"Total {label.lower()}", **data[total_key], "total": True})
    return rows


COMPARE_COLUMNS = [
    ("code", "Code"),
    ("name", "Account"),
    ("current", "Current"),
    ("previous", "Previous"),
    ("difference", "Difference"),
]


def _profit_and_loss(company_id: int, params: dict):
    data = comparative_profit_and_loss(
        company_id, params["date_from"], params["date_to"], params["compare"]
    )
    rows = _comparative_rows(
        data, [("income", "Income", "total_income"), ("expenses", "Expenses", "total_expenses")]
    )
    totals = {"name": "Net profit", **data["net_profit"]}
    subtitle = f"{_span(params)} against {data['previous_from']} – {data['previous_to']}"
    return data, Table(
        "Profit and loss", COMPARE_COLUMNS, rows, subtitle, totals, "profit-and-loss"
    )


def _balance_sheet(company_id: int, params: dict):
    data = comparative_balance_sheet(
        company_id, params["date_to"], params["compare"], date_from=params["date_from"]
    )
    rows = _comparative_rows(
        data,
        [
            ("assets", "Assets", "total_assets"),
            ("liabilities", "Liabilities", "total_liabilities"),
            ("equity", "Equity", "total_equity"),
        ],
    )
    totals = {"name": "Liabilities and equity", **data["total_liabilities_and_equity"]}
    subtitle = f"At {data['date_to']} against {data['previous_to']}"
    return data, Table("Balance sheet", COMPARE_COLUMNS, rows, subtitle, totals, "balance-sheet")


def _aged(kind: str):
    def run(company_id: int, params: dict):
        data = aged_balance(company_id, params["date_to"], kind)
        columns = [
            ("party", "Party"),
            *[(b, BUCKET_LABELS[b]) for b in BUCKETS],
            ("total", "Total"),
        ]
        totals = {"party": "Total", **data["totals"]}
        title = f"Aged {kind}s"
        return data, Table(
            title, columns, data["rows"], f"At {data['as_of']}", totals, f"aged-{kind}s"
        )

    return run


def _statement(company_id: int, params: dict):
    data = customer_statement(company_id, params["party"], params["date_from"], params["date_to"])
    columns = [
        ("date", "Date"),
        ("number", "Entry"),
        ("ref", "Reference"),
        ("due_date", "Due"),
        ("debit", "Invoiced"),
        ("credit", "Paid"),
        ("balance", "Balance"),
    ]
    opening = {"date": params["date_from"], "ref": "Balance brought forward"}
    opening["balance"] = data["opening"]
    totals = {"ref": "Balance due", "debit": data["debit"], "credit": data["credit"]}
    totals["balance"] = data["closing"]
    title = f"Statement of {data['party']}"
    return data, Table(
        title, columns, [opening, *data["lines"]], _span(params), totals, "statement"
    )


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("trial-balance", "Trial balance", (), _trial_balance),
        Report("general-ledger", "General ledger", ("account",), _general_ledger),
        Report("profit-and-loss", "Profit and loss", ("compare",), _profit_and_loss),
        Report("balance-sheet", "Balance sheet", ("compare",), _balance_sheet),
        Report("aged-receivables", "Aged receivables", (), _aged("receivable")),
        Report("aged-payables", "Aged payables", (), _aged("payable")),
        Report("customer-statement", "Customer statement", ("party",), _statement),
    )
}


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """This month so far: from its first day to `today`."""
    return today.replace(day=1), today
