"""General ledger, comparative P&L, aged receivables/payables and the customer
statement: exact figures from one small story, exports, pages and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from keel.users.roles import Role

from ..models import Account
from ..selectors.aged import aged_balance
from ..selectors.comparative import comparative_balance_sheet, comparative_profit_and_loss
from ..selectors.general_ledger import customer_statement, general_ledger
from ..selectors.reports import trial_balance
from ..services import chart
from ..services.posting import Line, post_entry
from .factories import party

D = Decimal
API = "/api/v1/financial-reports/"


def _acc(company, code):
    return Account.objects.get(company=company, code=code)


@pytest.fixture
def story(company, books):
    """FY2025 and FY2026 open. 2025-03-10: 800.00 sold to Acme. 2026: 10,000.00 capital
    (Jan 2); 1,000.00 sold to Acme on Jan 15 due Feb 14; 1,500.00 on Mar 20 due Apr 19;
    a 250.00 bill from Umbrella on Feb 1 due Mar 3; rent 400.00 paid Apr 5; Acme pays
    1,000.00 on Apr 30; 300.00 sold to Globex on May 10 (no due date: due that day)."""
    chart.ensure_fiscal_year(company, 2025)
    acme, globex = party(company, "Acme Corp"), party(company, "Globex")
    umbrella = party(company, "Umbrella", is_supplier=True)

    def sale(day, amount, who, due=None):
        post_entry(
            company,
            books["SAL"],
            day,
            [
                Line(role="receivable", debit=D(amount), party=who, due_date=due),
                Line(role="revenue", credit=D(amount)),
            ],
            ref=f"Sale {amount}",
        )

    sale(dt.date(2025, 3, 10), "800.00", acme)
    post_entry(
        company,
        books["GEN"],
        dt.date(2026, 1, 2),
        [
            Line(role="bank", debit=D("10000")),
            Line(account=_acc(company, "3000"), credit=D("10000")),
        ],
        ref="Capital",
    )
    sale(dt.date(2026, 1, 15), "1000.00", acme, dt.date(2026, 2, 14))
    post_entry(
        company,
        books["PUR"],
        dt.date(2026, 2, 1),
        [
            Line(role="expense", debit=D("250.00")),
            Line(role="payable", credit=D("250.00"), party=umbrella, due_date=dt.date(2026, 3, 3)),
        ],
        ref="Bill",
    )
    sale(dt.date(2026, 3, 20), "1500.00", acme, dt.date(2026, 4, 19))
    post_entry(
        company,
        books["BNK"],
        dt.date(2026, 4, 5),
        [Line(account=_acc(company, "6000"), debit=D("400")), Line(role="bank", credit=D("400"))],
        ref="Rent",
    )
    post_entry(
        company,
        books["BNK"],
        dt.date(2026, 4, 30),
        [Line(role="bank", debit=D("1000")), Line(role="receivable", credit=D("1000"), party=acme)],
        ref="Acme pays",
    )
    sale(dt.date(2026, 5, 10), "300.00", globex)
    return {"acme": acme, "globex": globex, "umbrella": umbrella}


def test_general_ledger_opens_with_the_balance_and_runs_line_by_line(
    company, story, django_assert_max_num_queries
):
    """Given the story, when the bank's ledger of April is read, then it opens at
    10,000.00, runs 9,600.00 then 10,600.00, and closes at 10,600.00."""
    bank = _acc(company, "1000")
    with django_assert_max_num_queries(6):
        gl = general_ledger(company.pk, bank.pk, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert gl["opening"] == D("10000.00")
    assert [(r["date"], r["ref"], r["debit"], r["credit"], r["balance"]) for r in gl["lines"]] == [
        (dt.date(2026, 4, 5), "Rent", D("0"), D("400.00"), D("9600.00")),
        (dt.date(2026, 4, 30), "Acme pays", D("1000.00"), D("0"), D("10600.00")),
    ]
    assert (gl["debit"], gl["credit"], gl["closing"]) == (D("1000"), D("400"), D("10600"))
    assert gl["lines"][0]["number"] == "BNK/2026/00001"


def test_profit_and_loss_compares_with_the_previous_year(company, story):
    """Given the story, when the first half of 2026 is compared with the first half of
    2025, then revenue is 2,800.00 against 800.00 and net profit 2,150.00 against 800.00."""
    pl = comparative_profit_and_loss(
        company.pk, dt.date(2026, 1, 1), dt.date(2026, 6, 30), "previous_year"
    )
    assert (pl["previous_from"], pl["previous_to"]) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    revenue = next(row for row in pl["income"] if row["code"] == "4000")
    assert (revenue["current"], revenue["previous"], revenue["difference"]) == (
        D("2800.00"),
        D("800.00"),
        D("2000.00"),
    )
    assert pl["total_expenses"] == {"current": D("650"), "previous": D("0"), "difference": D("650")}
    assert pl["net_profit"] == {
        "current": D("2150.00"),
        "previous": D("800.00"),
        "difference": D("1350.00"),
    }
    previous_period = comparative_profit_and_loss(
        company.pk, dt.date(2026, 4, 1), dt.date(2026, 4, 30), "previous_period"
    )
    assert (previous_period["previous_from"], previous_period["previous_to"]) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 31),
    )
    assert previous_period["net_profit"]["previous"] == D("1500.00")


def test_balance_sheet_compares_with_a_year_earlier(company, story):
    """Given the story, the balance sheet at 30 June 2026 shows assets of 13,200.00
    (bank 10,600.00, receivables 2,600.00) against 800.00 a year earlier, and both sides balance."""
    bs = comparative_balance_sheet(company.pk, dt.date(2026, 6, 30), "previous_year")
    assert bs["total_assets"] == {
        "current": D("13200.00"),
        "previous": D("800.00"),
        "difference": D("12400.00"),
    }
    assert bs["balanced"] is True


def test_aged_receivables_fill_buckets_by_due_date(company, story, django_assert_max_num_queries):
    """Given the story, at 30 June Acme owes 2,300.00: its 1,500.00 due Apr 19 is 72 days
    late (61-90) and 800.00 of the Feb 14 invoice is over 90; Globex's 300.00 is 51 days
    late (31-60). The total equals the receivable account's balance."""
    with django_assert_max_num_queries(8):
        aged = aged_balance(company.pk, dt.date(2026, 6, 30), "receivable")
    rows = {row["party"]: row for row in aged["rows"]}
    assert rows["Acme Corp"] == {
        "party_id": story["acme"].pk,
        "party": "Acme Corp",
        "current": D("0"),
        "days_1_30": D("0"),
        "days_31_60": D("0"),
        "days_61_90": D("1500.00"),
        "over_90": D("800.00"),
        "total": D("2300.00"),
    }
    assert (rows["Globex"]["days_31_60"], rows["Globex"]["total"]) == (D("300"), D("300"))
    assert aged["totals"]["total"] == D("2600.00")
    tb = trial_balance(company.pk, dt.date(2025, 1, 1), dt.date(2026, 6, 30))
    receivable = next(row for row in tb["rows"] if row["code"] == "1100")
    assert receivable["closing"] == aged["totals"]["total"]


def test_aged_mid_period_and_payables(company, story):
    """Given the story, on 10 April (inside a period) Acme owes 3,300.00: 1,500.00 not
    yet due, 1,000.00 55 days late, 800.00 over 90; Umbrella is owed 250.00, 38 days late."""
    aged = aged_balance(company.pk, dt.date(2026, 4, 10), "receivable")
    acme = next(row for row in aged["rows"] if row["party"] == "Acme Corp")
    assert (acme["current"], acme["days_31_60"], acme["over_90"], acme["total"]) == (
        D("1500"),
        D("1000"),
        D("800"),
        D("3300"),
    )
    payables = aged_balance(company.pk, dt.date(2026, 4, 10), "payable")
    assert [(r["party"], r["days_31_60"], r["total"]) for r in payables["rows"]] == [
        ("Umbrella", D("250.00"), D("250.00"))
    ]


def test_customer_statement_runs_from_the_balance_brought_forward(company, story):
    """Given the story, Acme's 2026 statement brings 800.00 forward, runs 1,800.00,
    3,300.00, 2,300.00 and ends on 2,300.00 due."""
    statement = customer_statement(
        company.pk, story["acme"].pk, dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    )
    assert statement["opening"] == D("800.00")
    assert [row["balance"] for row in statement["lines"]] == [D("1800"), D("3300"), D("2300")]
    assert statement["lines"][0]["due_date"] == dt.date(2026, 2, 14)
    assert statement["closing"] == D("2300.00")


def test_every_report_exports_to_csv_xlsx_and_pdf(api_as, users, company, story):
    """Given the story, an Accountant downloads the aged receivables as CSV (exact
    rows), XLSX (numbers) and PDF."""
    client = api_as(users[Role.ACCOUNTANT])
    url = f"{API}aged-receivables/?date_to=2026-06-30"
    csv_text = client.get(url + "&export=csv").content.decode()
    assert csv_text.splitlines() == [
        "Party,Current,1-30,31-60,61-90,> 90,Total",
        "Acme Corp,0.00,0.00,0.00,1500.00,800.00,2300.00",
        "Globex,0.00,0.00,300.00,0.00,0.00,300.00",
        "Total,0.00,0.00,300.00,1500.00,800.00,2600.00",
    ]
    xlsx = client.get(url + "&export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[4]] == ["Acme Corp", 0, 0, 0, 1500, 800, 2300]
    pdf = client.get(f"{API}profit-and-loss/?date_from=2026-01-01&date_to=2026-06-30&export=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_api_answers_accountants_and_refuses_others(
    api_as, users, company, story, django_assert_max_num_queries
):
    """Given the story, an Accountant reads the general ledger as JSON with exact string
    amounts; an unknown account is a 400; a Sales Rep is refused (403)."""
    client = api_as(users[Role.ACCOUNTANT])
    bank = _acc(company, "1000")
    with django_assert_max_num_queries(12):
        response = client.get(
            f"{API}general-ledger/?account={bank.pk}&date_from=2026-04-01&date_to=2026-04-30"
        )
    assert response.status_code == 200
    assert response.json()["closing"] == "10600.00"
    refused = client.get(f"{API}general-ledger/?account=999999")
    assert refused.status_code == 400 and refused.json()["field"] == "account"
    assert client.get(f"{API}no-such-report/").status_code == 404
    assert api_as(users[Role.SALES_REP]).get(f"{API}aged-receivables/").status_code == 403


def test_report_pages_drill_down_to_entries(client, users, company, story):
    """Given the story, the Accountant's statement page links each line to its entry;
    a Sales Rep gets 403."""
    client.force_login(users[Role.ACCOUNTANT])
    url = "/w/accounting/reports/customer-statement/"
    page = client.get(url, {"party": story["acme"].pk, "date_from": "2026-01-01"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "/accounting/journalentry/" in html and "2,300.00" in html
    assert client.get("/w/accounting/reports/").status_code == 200
    client.force_login(users[Role.SALES_REP])
    assert client.get(url, {"party": story["acme"].pk}).status_code == 403


def test_an_invoice_on_payment_terms_ages_from_each_instalments_due_date(company):
    """Given an invoice of 1,000.00 dated 15 Jan 2026 on 30% now / 70% at 30 days end of
    month (300.00 due 15 Jan, 700.00 due 28 Feb); When receivables are aged on 10 Feb;
    Then 300.00 is 1-30 days past due and 700.00 is still current: the receivable lines
    carry their instalment's due date."""
    from ..services.payment_terms import save_payment_term
    from .factories import books, invoice

    books(company)
    term = save_payment_term(
        company, "30/70", [{"percent": "30"}, {"percent": "70", "days": 30, "end_of_month": True}]
    )
    invoice(
        company,
        party(company, "Acme Corp"),
        [{"description": "Implementation", "quantity": 4, "unit_price": "250.00"}],
        payment_term=term,
    )

    aged = aged_balance(company.pk, dt.date(2026, 2, 10), "receivable")

    (row,) = aged["rows"]
    assert (row["current"], row["days_1_30"], row["total"]) == (
        D("700.00"),
        D("300.00"),
        D("1000.00"),
    )


def test_a_csv_export_keeps_every_decimal_the_figure_has():
    """Given a row with an amount, an exchange rate of four decimals and a whole
    quantity; When it is exported to CSV; Then amounts show two decimals and the rate
    keeps all four (an export never rounds a figure away)."""
    from keel.accounting.exports.tables import Table, to_csv

    # Given
    table = Table(
        title="Rates",
        columns=[("amount", "Amount"), ("rate", "Rate"), ("units", "Units")],
        rows=[{"amount": Decimal("1200.5"), "rate": Decimal("1.08375"), "units": Decimal("3")}],
    )
    # When
    lines = to_csv(table).decode().splitlines()
    # Then
    assert lines == ["Amount,Rate,Units", "1200.50,1.08375,3.00"]
