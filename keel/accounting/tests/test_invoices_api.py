"""The invoicing API: every endpoint answers the right roles and refuses the others,
leaving the database as it was; a double click on "pay" pays once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.users.roles import Role

from ..models import Invoice, JournalEntry, OpenItem, Payment
from .factories import invoice, party, tax

D = Decimal
URL = "/api/v1/invoices/"
PAY = "/api/v1/payments/"


def _count():
    return (Invoice.objects.count(), JournalEntry.objects.count(), Payment.objects.count())


@pytest.fixture
def customer(company):
    return party(company, email="billing@acme.example")


@pytest.fixture
def accountant(api_as, users):
    return api_as(users[Role.ACCOUNTANT])


def _draft_payload(customer, vat=None):
    return {
        "kind": "out_invoice",
        "party": customer.pk,
        "date": "2026-03-02",
        "ref": "PO-1",
        "lines": [
            {
                "description": "Widgets",
                "quantity": "3",
                "unit_price": "12.50",
                "discount": "10",
                "taxes": [vat.pk] if vat else [],
            }
        ],
    }


def test_an_accountant_drafts_edits_posts_and_pays_an_invoice(company, books, customer, accountant):
    """Given an Accountant, When they draft, edit, post and pay an invoice through
    the API, Then each step answers with the document's new state and exact amounts."""
    vat = tax(company, "VAT 20%", "20")
    created = accountant.post(URL, _draft_payload(customer, vat), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["amount_untaxed"], body["amount_tax"], body["amount_total"]) == (
        "33.75",
        "6.75",
        "40.50",
    )
    assert body["allowed_transitions"] == ["posted"] and created["ETag"] == '"1"'
    url = f"{URL}{body['id']}/"
    edited = accountant.patch(url, {"ref": "PO-2"}, format="json", HTTP_IF_MATCH='"1"')
    assert edited.status_code == 200 and edited.json()["ref"] == "PO-2"
    stale = accountant.patch(url, {"ref": "PO-3"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["code"] == "stale_record"
    posted = accountant.post(f"{url}post/", {}, format="json")
    assert posted.status_code == 200, posted.json()
    assert posted.json()["number"] == "INV/2026/00001"
    assert posted.json()["allowed_transitions"] == ["cancelled"]
    paid = accountant.post(f"{url}pay/", {"amount": "40.50", "date": "2026-03-20"}, format="json")
    assert paid.status_code == 201, paid.json()
    assert accountant.get(url).json()["payment_status"] == "paid"
    assert accountant.get(url).json()["residual"] == "0.00"


def test_a_double_click_on_pay_with_an_idempotency_key_pays_once(company, books, customer, users):
    """Given a signed-in Accountant, When "register payment" is clicked twice with one
    Idempotency-Key, Then one payment exists and the second answer replays the first."""
    from rest_framework.test import APIClient

    accountant = APIClient()
    accountant.force_login(users[Role.ACCOUNTANT])
    document = invoice(company, customer)
    pay = f"{URL}{document.pk}/pay/"
    first = accountant.post(
        pay,
        {"amount": "40.00", "date": "2026-02-01"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="click-1",
    )
    second = accountant.post(
        pay,
        {"amount": "40.00", "date": "2026-02-01"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="click-1",
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert Payment.objects.count() == 1
    assert OpenItem.objects.get(invoice=document).residual == D("60.00")


def test_paying_more_than_due_is_a_400_and_changes_nothing(company, books, customer, accountant):
    document = invoice(company, customer)
    before = _count()
    response = accountant.post(
        f"{URL}{document.pk}/pay/", {"amount": "150.00", "date": "2026-02-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "payment_exceeds_due"
    assert response.json()["field"] == "amount"
    assert _count() == before


def test_cancel_then_refusals_of_actions_not_allowed(company, books, customer, accountant):
    document = invoice(company, customer)
    url = f"{URL}{document.pk}/"
    cancelled = accountant.post(
        f"{url}cancel/", {"date": "2026-01-20", "reason": "duplicate"}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    before = _count()
    again = accountant.post(f"{url}post/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
    edit = accountant.patch(url, {"ref": "x"}, format="json")
    assert edit.status_code == 400 and edit.json()["code"] == "invoice_not_editable"
    assert _count() == before


def test_a_credit_note_reconciles_through_the_api(company, books, customer, accountant):
    document = invoice(company, customer)
    credit = accountant.post(
        URL,
        {
            **_draft_payload(customer),
            "kind": "out_refund",
            "lines": [{"description": "Credit", "unit_price": "100.00"}],
        },
        format="json",
    ).json()
    accountant.post(f"{URL}{credit['id']}/post/", {}, format="json")
    done = accountant.post(
        f"{URL}{document.pk}/reconcile/",
        {"other": credit["id"], "date": "2026-03-05"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["payment_status"] == "paid"


def test_payments_endpoint_registers_and_unreconciles(company, books, customer, accountant):
    first = invoice(company, customer)
    second = invoice(company, customer)
    response = accountant.post(
        PAY,
        {
            "party": customer.pk,
            "amount": "200.00",
            "date": "2026-02-01",
            "invoices": [first.pk, second.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == f"{books['BNK'].sequence_prefix}2026/00001"
    assert set(Invoice.objects.values_list("payment_status", flat=True)) == {"paid"}
    undone = accountant.post(f"{PAY}{response.json()['id']}/unreconcile/", format="json")
    assert undone.status_code == 200
    assert set(Invoice.objects.values_list("payment_status", flat=True)) == {"not_paid"}


@pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.SALES_REP])
def test_sales_roles_read_customer_invoices_only_and_change_nothing(
    company, books, customer, users, api_as, role
):
    document = invoice(company, customer)
    supplier = party(company, "Paper Co", is_supplier=True)
    bill = invoice(company, supplier, kind=Invoice.Kind.VENDOR_BILL)
    client = api_as(users[role])
    listed = client.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [document.pk]
    assert client.get(f"{URL}{bill.pk}/").status_code == 404
    before = _count()
    for path, data in [
        (f"{URL}{document.pk}/cancel/", {"reason": "no"}),
        (f"{URL}{document.pk}/pay/", {"amount": "1.00"}),
        (f"{URL}{document.pk}/send/", {}),
        (URL, _draft_payload(customer)),
    ]:
        assert client.post(path, data, format="json").status_code == 403, path
    assert client.patch(f"{URL}{document.pk}/", {"ref": "x"}, format="json").status_code == 403
    assert client.get(PAY).status_code == 403
    assert _count() == before


def test_a_buyer_reads_bills_only(company, books, customer, users, api_as):
    invoice(company, customer)
    supplier = party(company, "Paper Co", is_supplier=True)
    bill = invoice(company, supplier, kind=Invoice.Kind.VENDOR_BILL)
    client = api_as(users[Role.BUYER])
    assert [row["id"] for row in client.get(URL).json()["results"]] == [bill.pk]
    assert client.post(f"{URL}{bill.pk}/post/", {}, format="json").status_code == 403


def test_the_list_costs_a_fixed_number_of_queries(
    company, books, customer, accountant, django_assert_max_num_queries
):
    for _ in range(12):
        invoice(company, customer)
    with django_assert_max_num_queries(8):
        response = accountant.get(URL)
    assert response.json()["count"] == 12
    with django_assert_max_num_queries(8):
        assert accountant.get(PAY).status_code == 200


def test_the_pdf_is_a_pdf(company, books, customer, accountant, users, api_as):
    document = invoice(company, customer)
    response = accountant.get(f"{URL}{document.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="INV-2026-00001.pdf"' in response["Content-Disposition"]
    assert api_as(users[Role.BUYER]).get(f"{URL}{document.pk}/pdf/").status_code == 404


def test_send_e_mails_the_pdf_to_the_party(company, books, customer, accountant, smtp):
    """Given a posted invoice and a party with an e-mail address, When it is sent,
    Then the party receives one mail with the PDF attached and sent_at is set."""
    document = invoice(company, customer)
    response = accountant.post(f"{URL}{document.pk}/send/", format="json")
    assert response.status_code == 200 and response.json()["sent_at"]
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["X-Rcpt"] == "billing@acme.example"
    assert message["Subject"] == f"Customer invoice INV/2026/00001 from {company.name}"
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "INV-2026-00001.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    draft = invoice(company, customer, post=False)
    refused = accountant.post(f"{URL}{draft.pk}/send/", format="json")
    assert refused.status_code == 400 and len(smtp.messages) == 1
    assert Invoice.objects.get(pk=draft.pk).sent_at is None


def test_posting_on_a_missing_date_uses_the_document_date(company, books, customer):
    assert invoice(company, customer).entry.date == dt.date(2026, 1, 15)
