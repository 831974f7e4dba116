"""The RFQ on paper and by e-mail: each vendor receives its PDF through a real SMTP
server; a vendor without an address stops the sending before anything changes."""

from __future__ import annotations

import pytest

from keel.core.errors import InvalidInput

from ..models import Rfq, RfqVendor
from ..services import rfq_documents, rfqs
from .snapshots import state

pytestmark = pytest.mark.django_db


@pytest.fixture
def rfq(company, wh, bracket, hinge, vendors, buyer):
    vendors["acme"].email = "sales@acme.example"
    vendors["bolt"].email = "quotes@bolt.example"
    for party in vendors.values():
        party.save()
    return rfqs.create_rfq(
        company,
        warehouse=wh,
        vendors=[vendors["acme"], vendors["bolt"]],
        lines=[{"product": bracket, "quantity": 100}, {"product": hinge, "quantity": "2.5"}],
        by=buyer,
    )


def test_each_vendor_receives_the_rfq_pdf(rfq, company, buyer, smtp):
    """Given a draft RFQ to Acme and Bolt; When it is e-mailed; Then it is sent, each
    vendor got one mail with RFQ-00001.pdf, and the time is recorded per vendor."""
    rfq_documents.email_rfq(rfq.pk, by=buyer)
    assert Rfq.objects.get(pk=rfq.pk).status == "sent"
    assert sorted(m["X-Rcpt"] for m in smtp.messages) == [
        "quotes@bolt.example",
        "sales@acme.example",
    ]
    message = smtp.messages[0]
    assert message["Subject"] == f"Request for quotation RFQ/00001 from {company.name}"
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "RFQ-00001.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert not RfqVendor.objects.filter(emailed_at__isnull=True).exists()


def test_the_printed_rfq_lists_the_lines_for_the_vendor(rfq, vendors):
    """The document names the vendor, the number and each product with its quantity."""
    html = rfq_documents.render_html(rfq, vendors["acme"])
    assert "Request for quotation RFQ/00001" in html
    assert "To: <strong>Acme Metals</strong>" in html
    assert '[BRK] Steel bracket</td><td class="num">100</td>' in html
    assert '[HNG] Door hinge</td><td class="num">2.5</td>' in html


def test_a_vendor_without_an_address_stops_the_sending(rfq, vendors, buyer, smtp):
    """Given Bolt without an e-mail address; When the RFQ is e-mailed; Then refused
    (vendor_email_missing), no mail left and the RFQ is still a draft."""
    vendors["bolt"].email = ""
    vendors["bolt"].save()
    before = state()
    with pytest.raises(InvalidInput) as refused:
        rfq_documents.email_rfq(rfq.pk, by=buyer)
    assert refused.value.code == "vendor_email_missing"
    assert str(refused.value) == "Bolt & Co has no e-mail address; add one to the party first."
    assert smtp.messages == []
    assert state() == before


def test_the_api_e_mails_the_rfq_and_refuses_an_employee(rfq, api_as, buyer, employee, smtp):
    """When an employee asks to e-mail the RFQ, 403 and nothing is sent; when the buyer
    does, 200, the RFQ is sent and both vendors have their mail."""
    url = f"/api/v1/rfqs/{rfq.pk}/email/"
    before = state()
    assert api_as(employee).post(url).status_code == 403
    assert (state(), smtp.messages) == (before, [])
    response = api_as(buyer).post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "sent"
    assert all(v["emailed_at"] for v in response.json()["vendors"])
    assert len(smtp.messages) == 2
