"""The lead-to-cash trail of an order or opportunity, and the average time of each
stage by rep and by channel, with its downloads."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keel.analytics.selectors.cycle_times import lead_to_cash_times
from keel.analytics.selectors.trail import order_trail

from .conftest import day

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_trail_of_a_paid_order_says_how_long_each_step_took(sold):
    """Given Ann's lead of 25 May, opened as an opportunity on 27 May, quoted and sent
    1 June, ordered 2 June, delivered 5 June, invoiced 8 June and paid 20 June;
    When the order's trail is read;
    Then each step is there in order with its date, who did it and the days since the
    step before, each booking follows its document, and lead to cash took 26 days."""
    # When
    trail = order_trail(sold.acme_order)

    # Then
    assert [(s.stage, s.title, s.date, s.days) for s in trail.steps] == [
        ("Lead", "Jane Roe (Acme Corp)", day(5, 25), None),
        ("Opportunity", "Acme widgets", day(5, 27), 2),
        ("Quotation", "SQ/00001", day(6, 1), 5),
        ("Sent", "SQ/00001", day(6, 1), 0),
        ("Order", "SO/00001", day(6, 2), 1),
        ("Delivery", "WH/OUT/00001", day(6, 5), 3),
        ("Entry", "GEN/2026/00003", day(6, 5), None),
        ("Invoice", "INV/2026/00001", day(6, 8), 3),
        ("Entry", "INV/2026/00001", day(6, 8), None),
        ("Payment", "BNK/2026/00001", day(6, 20), 12),
        ("Entry", "BNK/2026/00001", day(6, 20), None),
    ]
    assert {s.user for s in trail.steps if s.stage in ("Lead", "Quotation", "Delivery")} == {
        "Test Rep.Ann"
    }
    assert [s.detail for s in trail.steps if s.stage in ("Invoice", "Payment")] == [
        "500.00 USD",
        "500.00 USD",
    ]
    assert all(s.link for s in trail.steps if s.stage != "Sent")
    assert trail.total_days == 26


def test_the_trail_pages_of_an_order_and_its_opportunity(
    client, sold, rep, django_assert_max_num_queries
):
    """Given Ann's paid order; When she opens its trail and her opportunity's trail;
    Then both list the same eleven steps with links, each page in at most 17 queries."""
    client.force_login(rep)
    for url in (
        reverse("analytics:order_trail", args=[sold.acme_order.pk]),
        reverse("analytics:opportunity_trail", args=[sold.opportunity.pk]),
    ):
        # When (a first visit fills the content-type cache, as any running server has)
        client.get(url)
        with django_assert_max_num_queries(17):
            response = client.get(url)

        # Then
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('data-testid="trail-step"') == 11
        assert 'data-testid="total-days">26 days' in html
        assert reverse("admin:accounting_invoice_change", args=[sold.acme_invoice.pk]) in html


def test_a_rep_cannot_open_a_colleagues_trail(client, sold, rep, clerk):
    """Given Bob's Globex order and Ann's opportunity; When Ann opens Bob's order trail
    and the clerk (no sales permission) opens Ann's; Then Ann gets 404 and the clerk
    403, and neither page shows a document number."""
    # When
    client.force_login(rep)
    colleague = client.get(reverse("analytics:order_trail", args=[sold.globex_order.pk]))
    client.force_login(clerk)
    clerk_page = client.get(reverse("analytics:opportunity_trail", args=[sold.opportunity.pk]))

    # Then
    assert (colleague.status_code, clerk_page.status_code) == (404, 403)
    assert b"SO/00002" not in colleague.content and b"SQ/00001" not in clerk_page.content


def test_average_lead_to_cash_time_by_rep_and_by_channel(sold, manager):
    """Given Ann's web order (lead to cash in 26 days) and Bob's partner order (quoted
    and ordered 10 June, delivered 12 June, invoiced 1 July, unpaid);
    When the manager reads June's cycle times by rep and by channel;
    Then each group has its own days per stage, Bob's order waited 19 days to be
    invoiced, and all orders together average 11.0 days from delivery to invoice."""
    # When
    by_rep, overall = lead_to_cash_times(manager, day(6, 1), day(6, 30), "rep")
    by_channel, _ = lead_to_cash_times(manager, day(6, 1), day(6, 30), "channel")

    # Then
    stages = [
        "Lead → opportunity",
        "Opportunity → quotation",
        "Quotation → order",
        "Order → delivered",
        "Delivered → invoiced",
        "Invoiced → paid",
        "Lead to cash",
    ]
    table = {g.label: [g.average(s) for s in stages] for g in [*by_rep, overall]}
    assert table == {
        "Test Rep.Ann": [D(2), D(5), D(1), D(3), D(3), D(12), D(26)],
        "Test Rep.Bob": [None, None, D(0), D(2), D(19), None, None],
        "All orders": [D(2), D(5), D("0.5"), D("2.5"), D(11), D(12), D(26)],
    }
    assert [(g.label, g.orders) for g in by_channel] == [("Partners", 1), ("Web", 1)]


def test_a_rep_sees_cycle_times_of_their_own_orders(sold, rep):
    """Given Ann's and Bob's June orders; When Ann reads the cycle times; Then only her
    order counts."""
    groups, overall = lead_to_cash_times(rep, day(6, 1), day(6, 30), "rep")
    assert ([g.label for g in groups], overall.orders) == (["Test Rep.Ann"], 1)


def test_the_cycle_time_report_downloads_what_it_shows(
    client, sold, manager, django_assert_max_num_queries
):
    """Given the June orders; When the manager opens the report by channel and downloads
    it as CSV and XLSX; Then the page lists both channels, and both files hold the
    same rows: each channel's days per stage and all orders together."""
    client.force_login(manager)
    url = reverse("analytics:lead_to_cash")
    params = {"date_from": "2026-06-01", "date_to": "2026-06-30", "by": "channel"}

    # When
    with django_assert_max_num_queries(9):
        page = client.get(url, params)
    as_csv = client.get(url, {**params, "export": "csv"})
    as_xlsx = client.get(url, {**params, "export": "xlsx"})

    # Then
    assert page.status_code == 200 and b"Partners" in page.content
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows == [
        [
            "Channel",
            "Orders",
            "Lead → opportunity (days)",
            "Opportunity → quotation (days)",
            "Quotation → order (days)",
            "Order → delivered (days)",
            "Delivered → invoiced (days)",
            "Invoiced → paid (days)",
            "Lead to cash (days)",
        ],
        ["Partners", "1", "", "", "0.0", "2.0", "19.0", "", ""],
        ["Web", "1", "2.0", "5.0", "1.0", "3.0", "3.0", "12.0", "26.0"],
        ["All orders", "2", "2.0", "5.0", "0.5", "2.5", "11.0", "12.0", "26.0"],
    ]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    values = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert values[-1] == ["All orders", 2, 2.0, 5.0, 0.5, 2.5, 11.0, 12.0, 26.0]
