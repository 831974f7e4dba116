"""Sales analysis: revenue, cost of goods and margin by every slice, drill-down from
a period to the invoice lines, scoped to a rep's own sales, exact on both databases,
and downloads holding exactly what the page shows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keel.accounting.services.invoices import create_invoice, credit_note_for, post_invoice
from keel.analytics.selectors.sales import Filters, sales_lines, sales_summary

from .conftest import day

pytestmark = pytest.mark.django_db
D = Decimal


def figures(user, slice_, grain="month", **ids):
    summary = sales_summary(user, slice_, Filters(ids=ids), grain)
    rows = [(r.label, r.quantity, r.revenue, r.cost, r.margin) for r in summary.rows]
    total = summary.total
    return rows, (total.quantity, total.revenue, total.cost, total.margin)


def test_revenue_cost_and_margin_by_every_slice(sold, manager):
    """Given Acme (North, Web, Ann) invoiced 3 widgets and 4 gadgets for 500.00 in June
    and Globex (South, Partners, Bob) 2 widgets for 200.00 in July, widgets costing
    60.00 and gadgets 30.00;
    When the manager slices the sales each way;
    Then every slice adds up to 9 units, 700.00 revenue, 420.00 cost, 280.00 margin."""
    everything = (D(9), D("700.00"), D("420.00"), D("280.00"))
    acme = (D(7), D("500.00"), D("300.00"), D("200.00"))
    globex = (D(2), D("200.00"), D("120.00"), D("80.00"))

    assert figures(manager, "customer") == (
        [("Acme Corp", *acme), ("Globex", *globex)],
        everything,
    )
    assert figures(manager, "region") == ([("North", *acme), ("South", *globex)], everything)
    assert figures(manager, "channel") == ([("Web", *acme), ("Partners", *globex)], everything)
    assert figures(manager, "rep") == (
        [("Test Rep.Ann", *acme), ("Test Rep.Bob", *globex)],
        everything,
    )
    assert figures(manager, "product") == (
        [
            ("WDG Widget", D(5), D("500.00"), D("300.00"), D("200.00")),
            ("GDG Gadget", D(4), D("200.00"), D("120.00"), D("80.00")),
        ],
        everything,
    )
    assert figures(manager, "period", "month") == (
        [("2026-06", *acme), ("2026-07", *globex)],
        everything,
    )
    assert figures(manager, "period", "quarter")[0] == [("2026-Q2", *acme), ("2026-Q3", *globex)]
    assert figures(manager, "period", "year")[0] == [("2026", *everything)]
    assert figures(manager, "category")[1] == everything
    assert sales_summary(manager, "customer", Filters()).rows[0].margin_percent == D("40.0")


def test_a_credit_note_counts_negative(sold, manager, widget):
    """Given Globex is credited one widget (100.00) on 5 July, the widget coming back;
    When the manager reads Globex's sales by product;
    Then 1 widget, 100.00 revenue, 60.00 cost and 40.00 margin remain."""
    # Given
    credit = credit_note_for(
        sold.globex_invoice.pk,
        date=day(7, 5),
        lines=[{"product": widget, "description": "Widget", "quantity": 1, "unit_price": 100}],
    )
    post_invoice(credit.pk)

    # When / Then
    assert figures(manager, "product", customer=sold.globex.pk) == (
        [("WDG Widget", D(1), D("100.00"), D("60.00"), D("40.00"))],
        (D(1), D("100.00"), D("60.00"), D("40.00")),
    )


def test_a_rep_reads_only_their_own_sales(sold, rep, other_rep):
    """Given Ann sold to Acme and Bob to Globex; When each reads sales by customer;
    Then each sees only their own customer's figures."""
    assert figures(rep, "customer")[0] == [
        ("Acme Corp", D(7), D("500.00"), D("300.00"), D("200.00"))
    ]
    assert figures(other_rep, "customer")[0] == [
        ("Globex", D(2), D("200.00"), D("120.00"), D("80.00"))
    ]
    assert sales_lines(rep, Filters(ids={"customer": sold.globex.pk})) == []


def test_drill_down_from_a_month_to_the_invoice_lines(client, sold, manager):
    """Given June's and July's sales; When the manager opens sales by month and follows
    June, then Acme, then Widget; Then each page is the next slice filtered to the row
    clicked, ending on Acme's invoice line of 3 widgets at 100.00."""
    client.force_login(manager)
    url = reverse("analytics:sales")

    # When: by month
    page = client.get(url, {"slice": "period", "grain": "month"})
    rows = page.context["rows"]
    assert [(row.label, link) for row, link in rows] == [
        ("2026-06", "?slice=customer&grain=month&date_from=2026-06-01&date_to=2026-06-30"),
        ("2026-07", "?slice=customer&grain=month&date_from=2026-07-01&date_to=2026-07-31"),
    ]
    # Then June's customers
    page = client.get(url + rows[0][1])
    ((acme, link),) = page.context["rows"]
    assert (acme.label, acme.revenue) == ("Acme Corp", D("500.00"))
    # Then Acme's products
    page = client.get(url + link)
    assert [(r.label, r.revenue) for r, _ in page.context["rows"]] == [
        ("WDG Widget", D("300.00")),
        ("GDG Gadget", D("200.00")),
    ]
    # Then the widget's invoice lines
    page = client.get(url + page.context["rows"][0][1])
    assert [
        (line.invoice, line.date, line.quantity, line.unit_price, line.revenue, line.cost)
        for line in page.context["lines"]
    ] == [("INV/2026/00001", day(6, 8), D(3), D("100.00"), D("300.00"), D("180.00"))]
    assert b"Customer: Acme Corp" in page.content and b"Product: WDG Widget" in page.content


def test_pages_keep_their_query_count(client, sold, manager, django_assert_max_num_queries):
    """Given the sales; When the manager opens each slice and the lines; Then each page
    stays within 8 queries (the session, user and permissions, one GROUP BY, one cost
    read, one label read), whatever the number of lines."""
    client.force_login(manager)
    for slice_ in ("customer", "product", "category", "region", "channel", "rep", "period"):
        with django_assert_max_num_queries(8):
            response = client.get(reverse("analytics:sales"), {"slice": slice_})
        assert response.status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(reverse("analytics:sales"), {"slice": "lines"})
    assert response.content.decode().count("INV/2026/0000") >= 3


def test_downloads_hold_exactly_what_is_shown(client, sold, manager):
    """Given the sales; When the manager downloads sales by customer as CSV and XLSX,
    and Acme's lines as CSV; Then the files hold the rows and total of the page."""
    client.force_login(manager)
    url = reverse("analytics:sales")

    # When
    as_csv = client.get(url, {"slice": "customer", "export": "csv"})
    as_xlsx = client.get(url, {"slice": "customer", "export": "xlsx"})
    lines = client.get(url, {"slice": "lines", "customer": sold.acme.pk, "export": "csv"})

    # Then
    assert as_csv["Content-Disposition"] == 'attachment; filename="sales-by-customer.csv"'
    assert list(csv.reader(io.StringIO(as_csv.content.decode()))) == [
        ["Customer", "Quantity", "Revenue", "Cost of goods", "Margin", "Margin %"],
        ["Acme Corp", "7", "500.00", "300.00", "200.00", "40.0"],
        ["Globex", "2", "200.00", "120.00", "80.00", "40.0"],
        ["Total", "9", "700.00", "420.00", "280.00", "40.0"],
    ]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)] == [
        ["Acme Corp", 7, 500, 300, 200, 40],
        ["Globex", 2, 200, 120, 80, 40],
        ["Total", 9, 700, 420, 280, 40],
    ]
    assert list(csv.reader(io.StringIO(lines.content.decode())))[1:] == [
        [
            "INV/2026/00001",
            "2026-06-08",
            "Acme Corp",
            "WDG Widget",
            "3",
            "100.00",
            "300.00",
            "180.00",
            "120.00",
        ],
        [
            "INV/2026/00001",
            "2026-06-08",
            "Acme Corp",
            "GDG Gadget",
            "4",
            "50.00",
            "200.00",
            "120.00",
            "80.00",
        ],
    ]


def test_sums_over_many_lines_are_exact_to_the_cent(company, books, gadget, manager):
    """Given one invoice of 1,000 lines of 0.1 gadget at 0.10 (0.01 each), the gadget
    costing 30.00;
    When the manager reads the sales by product;
    Then exactly 100 units, 10.00 revenue and 3,000.00 cost (each line 3.00), with no
    float drift on either database."""
    from keel.sales.tests.factories import customer

    # Given
    initech = customer(company, "Initech")
    invoice = create_invoice(
        company,
        party=initech,
        date=day(6, 15),
        lines=[
            {"product": gadget, "description": "Gadget", "quantity": "0.1", "unit_price": "0.10"}
            for _ in range(1000)
        ],
    )
    post_invoice(invoice.pk)

    # When / Then
    assert figures(manager, "product") == (
        [("GDG Gadget", D(100), D("10.00"), D("3000.00"), D("-2990.00"))],
        (D(100), D("10.00"), D("3000.00"), D("-2990.00")),
    )


@pytest.mark.parametrize("name", ["analytics:sales", "analytics:lead_to_cash"])
def test_a_role_without_sales_access_is_refused_the_reports(client, sold, clerk, name):
    """Given a warehouse clerk (no sales permission); When she opens the sales analysis
    or the lead-to-cash report, or downloads it; Then each is 403 with no figure."""
    client.force_login(clerk)
    for params in ({}, {"export": "csv"}):
        response = client.get(reverse(name), params)
        assert response.status_code == 403
        assert b"500.00" not in response.content and b"Acme" not in response.content


def test_bad_filters_read_as_absent_never_as_an_error(client, sold, manager):
    """Given the sales; When the manager asks for an unknown slice, a date that is not
    one, a customer id that is not a number and an unknown export format; Then the
    page shows sales by customer over all dates, unfiltered (no 500)."""
    client.force_login(manager)
    response = client.get(
        reverse("analytics:sales"),
        {"slice": "bogus", "date_from": "31/12/2026", "customer": "acme", "export": "doc"},
    )
    assert response.status_code == 200
    assert [(r.label, r.revenue) for r, _ in response.context["rows"]] == [
        ("Acme Corp", D("500.00")),
        ("Globex", D("200.00")),
    ]
    response = client.get(reverse("analytics:lead_to_cash"), {"date_to": "soon", "by": "x"})
    assert response.status_code == 200 and response.context["by"] == "rep"
