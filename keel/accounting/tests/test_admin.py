"""Workspace pages: accountants browse and reverse entries; others are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from keel.users.roles import Role

from ..models import Account, JournalEntry
from ..services.posting import post_entry
from .factories import sale_lines, tax


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_accountant_browses_entries_in_a_fixed_number_of_queries(
    users, company, books, django_assert_max_num_queries
):
    for n in range(20):
        post_entry(company, books["GEN"], dt.date(2026, 3, 1 + n), sale_lines(f"{n + 1}.00"))
    client = _client(users[Role.ACCOUNTANT])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("admin:accounting_journalentry_changelist"))
    assert response.status_code == 200
    assert b"GEN/2026/00020" in response.content
    entry = JournalEntry.objects.order_by("pk").first()
    page = client.get(reverse("admin:accounting_journalentry_change", args=[entry.pk]))
    assert page.status_code == 200 and b"Reverse" in page.content
    for name in ["account", "journal", "fiscalyear", "period", "tax"]:
        url = reverse(f"admin:accounting_{name}_changelist")
        assert client.get(url).status_code == 200, url


def test_the_reverse_action_posts_the_mirror_entry(users, company, books):
    entry = post_entry(company, books["GEN"], dt.date(2026, 3, 1), sale_lines("8.00"))
    client = _client(users[Role.ACCOUNTANT])
    url = reverse("admin:accounting_journalentry_reverse_entry", args=[entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": "2026-03-02", "reason": "duplicate"})
    assert response.status_code == 302
    assert JournalEntry.objects.get(reverses=entry).ref == "Reversal of GEN/2026/00001: duplicate"


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.SALES_MANAGER, Role.AUDITOR])
def test_others_cannot_reverse_or_import(users, company, books, role):
    entry = post_entry(company, books["GEN"], dt.date(2026, 3, 1), sale_lines("8.00"))
    client = _client(users[role])
    url = reverse("admin:accounting_journalentry_reverse_entry", args=[entry.pk])
    assert client.post(url, {"date": "2026-03-02", "reason": "x"}).status_code == 403
    upload = reverse("admin:accounting_account_import_chart")
    assert client.post(upload, {}).status_code == 403
    assert JournalEntry.objects.count() == 1
    expected = 200 if role == Role.AUDITOR else 403
    changelist = client.get(reverse("admin:accounting_journalentry_changelist"))
    assert changelist.status_code == expected


def test_import_chart_from_the_workspace(users, company, books):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(users[Role.ACCOUNTANT])
    upload = SimpleUploadedFile("chart.csv", b"code,name,type,role\n6600,Software,expense,\n")
    response = client.post(reverse("admin:accounting_account_import_chart"), {"file": upload})
    assert response.status_code == 302
    assert Account.objects.get(company=company, code="6600").name == "Software"


def test_tax_report_page_drills_down_to_lines(users, company, books):
    vat = tax(company, "VAT 20%", "20")
    from decimal import Decimal as D

    entry = post_entry(
        company,
        books["SAL"],
        dt.date(2026, 3, 1),
        [
            {"role": "receivable", "debit": D("12.00")},
            {"role": "revenue", "credit": D("10.00")},
            {"role": "tax_payable", "credit": D("2.00"), "tax": vat, "tax_base_amount": D("-10")},
        ],
    )
    url = reverse("admin:accounting_tax_report")
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31", "tax": vat.pk}
    response = _client(users[Role.SALES_MANAGER]).get(url, params)
    assert response.status_code == 200
    assert entry.number.encode() in response.content
    assert _client(users[Role.SALES_REP]).get(url, params).status_code == 403
