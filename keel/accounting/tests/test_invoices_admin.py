"""Workspace pages of invoices: lists in a fixed number of queries, buttons only
for the next allowed steps, actions through services, refusals for other roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from keel.users.roles import Role

from ..models import Invoice, Payment
from .factories import invoice, party


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name, pk):
    return reverse(f"admin:accounting_invoice_{name}", args=[pk])


def test_accountant_lists_posts_and_pays_from_the_workspace(
    users, company, books, django_assert_max_num_queries
):
    customer = party(company)
    for _ in range(10):
        invoice(company, customer)
    draft = invoice(company, customer, post=False)
    client = _client(users[Role.ACCOUNTANT])
    with django_assert_max_num_queries(25):
        listing = client.get(reverse("admin:accounting_invoice_changelist"))
    assert listing.status_code == 200 and b"INV/2026/00010" in listing.content
    page = client.get(reverse("admin:accounting_invoice_change", args=[draft.pk]))
    assert b"/post/" in page.content and b"/pay/" not in page.content
    assert client.post(_url("post_document", draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "posted" and draft.number == "INV/2026/00011"
    page = client.get(reverse("admin:accounting_invoice_change", args=[draft.pk]))
    assert b"/pay/" in page.content and b"/post/" not in page.content
    paid = client.post(_url("pay_document", draft.pk), {"amount": "100.00", "date": "2026-02-01"})
    assert paid.status_code == 302
    assert Invoice.objects.get(pk=draft.pk).payment_status == "paid"
    pdf = client.get(_url("pdf", draft.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("admin:accounting_payment_changelist")).status_code == 200


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.SALES_MANAGER, Role.BUYER])
def test_other_roles_cannot_post_cancel_or_pay(users, company, books, role):
    customer = party(company)
    posted = invoice(company, customer)
    draft = invoice(company, customer, post=False)
    client = _client(users[role])
    assert client.post(_url("post_document", draft.pk)).status_code == 403
    assert (
        client.post(
            _url("cancel_document", posted.pk), {"date": "2026-02-01", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            _url("pay_document", posted.pk), {"amount": "1", "date": "2026-02-01"}
        ).status_code
        == 403
    )
    assert Invoice.objects.get(pk=draft.pk).status == "draft"
    assert Payment.objects.count() == 0
