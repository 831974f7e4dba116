"""The accounting dashboard: receivables and payables by age, cash and bank, this month's
profit against last month's, the most overdue customers; exact figures, bounded queries,
refused without the report permission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from keel.users.roles import Role

from ..selectors.dashboard import accounting_dashboard
from .factories import june_books as make_june_books
from .factories import sale

D = Decimal
AS_OF = dt.date(2026, 6, 15)
URL = "/w/accounting/dashboard/?as_of=2026-06-15"


@pytest.fixture
def june_books(company, books):
    """Books of 2026 seen on 15 June (factories.june_books)."""
    return make_june_books(company)


def test_the_dashboard_figures_on_15_june(company, june_books):
    """Given the June books (receivables over every bucket, a partial payment, two bills,
    capital in the bank and a cash sale in March); When the dashboard is read on 15 June
    2026; Then the receivables are 1,750.00 current (Acme's net-30 invoice), 450.00 at
    1-30 days, 400.00 at 31-60, 300.00 at 61-90 and 200.00 over 90; the payables 800.00
    current and 250.00 at 61-90; the bank holds 5,200.00 and the till 120.00, the line of
    month-end balances climbs from 0 to 5,320.00; June's profit is 1,900.00 − 800.00 =
    1,100.00 against May's 500.00; and the five most overdue customers are Initech,
    Globex, Umbrella, Hooli and Stark (Wayne's 50.00 is sixth, Acme is not late)."""
    # When
    figures = accounting_dashboard(company.pk, AS_OF)

    # Then
    assert figures.currency == "USD"
    assert figures.receivables.buckets == [
        ("Current", D("1750.00")),
        ("1-30", D("450.00")),
        ("31-60", D("400.00")),
        ("61-90", D("300.00")),
        ("> 90", D("200.00")),
    ]
    assert (figures.receivables.total, figures.receivables.overdue) == (D("3100.00"), D("1350.00"))
    assert figures.payables.buckets == [
        ("Current", D("800.00")),
        ("1-30", D("0")),
        ("31-60", D("0")),
        ("61-90", D("250.00")),
        ("> 90", D("0")),
    ]
    assert [(a.code, a.name, a.balance) for a in figures.cash_accounts] == [
        ("1000", "Bank", D("5200.00")),
        ("1010", "Cash", D("120.00")),
    ]
    assert figures.cash_total == D("5320.00")
    assert [(start.isoformat()[:7], amount) for start, amount in figures.cash_by_month] == [
        ("2025-07", D("0")),
        ("2025-08", D("0")),
        ("2025-09", D("0")),
        ("2025-10", D("0")),
        ("2025-11", D("0")),
        ("2025-12", D("0")),
        ("2026-01", D("0")),
        ("2026-02", D("5000.00")),
        ("2026-03", D("5120.00")),
        ("2026-04", D("5120.00")),
        ("2026-05", D("5120.00")),
        ("2026-06", D("5320.00")),
    ]
    june, may = figures.this_month, figures.last_month
    assert (june.start, june.end) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert (june.income, june.expenses, june.net) == (D("1900.00"), D("800.00"), D("1100.00"))
    assert (may.start, may.end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert (may.income, may.expenses, may.net) == (D("500.00"), D("0"), D("500.00"))
    assert [(r["party"], r["overdue"]) for r in figures.top_overdue] == [
        ("Initech", D("400.00")),
        ("Globex", D("300.00")),
        ("Umbrella", D("300.00")),
        ("Hooli", D("200.00")),
        ("Stark", D("100.00")),
    ]


def test_an_accountant_opens_the_dashboard(company, june_books, users):
    """Given the June books; When the accountant opens the dashboard as of 15 June; Then
    the page draws three bar charts and a line chart and reads the amounts like the other
    accounting pages: 3,100.00 USD receivable, 1,750.00 USD current, 5,320.00 USD cash,
    1,100.00 USD net profit in June, Initech first among the overdue customers."""
    client = Client()
    client.force_login(users[Role.ACCOUNTANT])

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-type="bar"') == 3
    assert html.count('data-type="line"') == 1
    for text in (
        "3,100.00 USD",
        "1,750.00 USD",
        "1,050.00 USD",
        "5,200.00 USD",
        "5,320.00 USD",
        "1,100.00 USD",
        "June 2026",
        "May 2026",
    ):
        assert text in html, text
    overdue = html.split('data-testid="top-overdue"')[1]
    assert overdue.index("Initech") < overdue.index("Globex") < overdue.index("Stark")
    assert "Wayne" not in overdue
    assert "/w/accounting/dashboard/" in client.get("/").content.decode()  # sidebar entry


def test_the_dashboard_reads_a_fixed_number_of_queries(
    company, june_books, users, django_assert_num_queries
):
    """Given the June books; When 30 more invoices are posted; Then the dashboard still
    takes exactly as many queries as before: it reads maintained balances, set-based."""
    client = Client()
    client.force_login(users[Role.ACCOUNTANT])
    client.get(URL)  # warm the session and content-type caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    for n in range(30):
        sale(company, june_books["Hooli"], f"{n + 1}.00", dt.date(2026, 2, n % 28 + 1))

    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(URL)

    assert response.status_code == 200
    assert len(before.captured_queries) <= 30
    assert "665.00 USD" in response.content.decode()  # Hooli's > 90 bucket: 200.00 + 465.00


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.EMPLOYEE])
def test_the_dashboard_is_refused_without_the_report_permission(company, june_books, users, role):
    """Given the June books; When a sales rep or an employee (no report permission) asks
    for the dashboard; Then it is refused with 403, shows no figure and has no sidebar
    entry for them."""
    client = Client()
    client.force_login(users[role])

    response = client.get(URL)

    assert response.status_code == 403
    assert "3,100.00" not in response.content.decode()
    assert "/w/accounting/dashboard/" not in client.get("/").content.decode()


def test_the_dashboard_sends_a_visitor_to_the_login_page(company):
    response = Client().get("/w/accounting/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.BUYER, Role.AUDITOR])
def test_report_readers_see_an_empty_dashboard_on_fresh_books(company, books, users, role):
    """Given fresh books with nothing posted; When a sales manager, a buyer or an auditor
    (all may view the reports) opens the dashboard; Then every figure is 0.00 USD and no
    customer is overdue."""
    client = Client()
    client.force_login(users[role])

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="kpi-receivables">0.00 USD<' in html
    assert 'data-testid="kpi-cash">0.00 USD<' in html
    assert "No customer is overdue." in html
