"""A quotation goes out by e-mail (PDF attached, acceptance link in the body) and the
customer decides on the public page: accept with their name (the order is confirmed
as the rep would) or decline with a reason. Bad links, expired quotations and second
decisions are refused and change nothing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import signing
from django.template.loader import render_to_string
from django.urls import resolve

from keel.core.errors import InvalidInput
from keel.core.models import OutboxEvent, StatusChange
from keel.core.tests.concurrency import run_together
from keel.crm.models import Opportunity
from keel.crm.timeline import timeline

from ..errors import (
    AcceptanceLinkExpired,
    AcceptanceLinkInvalid,
    QuotationDecided,
    QuotationExpired,
    RecipientMissing,
)
from ..models import OUTREACH_FIELDS, Quotation, SalesOrder
from ..services import acceptance, quotation_documents, quotations
from .factories import customer
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_2, JULY_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2), dt.date(2026, 7, 2)


def decisions() -> tuple:
    """Everything a refused send or decision must leave as it was."""
    return (
        state(),
        sorted(Quotation.objects.values_list("pk", *OUTREACH_FIELDS)),
        StatusChange.objects.count(),
    )


@pytest.fixture
def draft(company, wh, widget, gadget, price_list, vat, deal, rep):
    """Ann's quotation from the Acme deal: 2 widgets at 90.00 and 3 gadgets at 50.00,
    plus 10% tax, dated 1 June and valid until 1 July."""
    return quotations.create_quotation(
        company,
        opportunity=deal,
        warehouse=wh,
        quote_date=JUNE_1,
        lines=[
            {"product": widget, "quantity": 2, "taxes": [vat]},
            {"product": gadget, "quantity": 3, "taxes": [vat]},
        ],
        by=rep,
    )


@pytest.fixture
def sent(draft, rep):
    return quotations.send(draft.pk, by=rep)


def test_sending_e_mails_the_pdf_and_the_acceptance_link_to_the_contact(draft, rep, smtp):
    """Given Ann's draft quotation for Acme, whose contact is Jane Roe;
    When Ann sends it;
    Then Jane gets one e-mail with the PDF attached and the link to the public page,
    the quotation is sent, and when and to whom is recorded."""
    # When
    found = quotation_documents.email_quotation(
        draft.pk, by=rep, base_url="https://erp.example.com/"
    )

    # Then
    (message,) = smtp.messages
    assert (message["To"], message["Subject"]) == (
        "jane.roe@acme.example",
        f"Quotation SQ/00001 from {draft.company.name}",
    )
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in body.split() if word.startswith("https://erp.example.com/q/"))
    match = resolve(link.removeprefix("https://erp.example.com"))
    assert match.view_name == "sales_public:quotation"
    assert acceptance.quotation_of(match.kwargs["token"]) == draft
    assert "for 363.00 USD, valid until 2026-07-01" in body
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "SQ-00001.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert (found.status, found.emailed_to) == ("sent", "jane.roe@acme.example")
    assert found.emailed_at is not None
    assert OutboxEvent.objects.filter(topic="sales.quotation.sent").count() == 1


def test_the_customers_address_is_used_when_there_is_no_contact(
    company, wh, gadget, acme, rep, smtp
):
    """Given a quotation for Acme without a contact; When it is sent; Then it goes to
    Acme's own address."""
    quote = quotations.create_quotation(
        company, party=acme, warehouse=wh, lines=[{"product": gadget, "quantity": 1}], by=rep
    )
    quotation_documents.email_quotation(quote.pk, by=rep)
    assert [m["To"] for m in smtp.messages] == ["buyer@acme.example"]


def test_sending_without_an_address_is_refused_and_changes_nothing(company, wh, gadget, rep, smtp):
    """Given a customer without an e-mail address; When Ann sends its quotation;
    Then she is told to add one, and nothing is sent or changed."""
    nobody = customer(company, "Nomail Ltd")
    quote = quotations.create_quotation(
        company, party=nobody, warehouse=wh, lines=[{"product": gadget, "quantity": 1}], by=rep
    )
    before = decisions()
    with pytest.raises(RecipientMissing) as refused:
        quotation_documents.email_quotation(quote.pk, by=rep)
    assert (refused.value.code, refused.value.field) == ("recipient_email_missing", "party")
    assert refused.value.detail == (
        "Nomail Ltd has no e-mail address; add one to the customer first."
    )
    assert decisions() == before
    assert smtp.messages == []


def test_another_reps_quotation_is_not_sent(draft, other_rep, smtp):
    """Bob cannot send Ann's quotation; nothing is sent or changed."""
    before = decisions()
    with pytest.raises(Exception) as refused:
        quotation_documents.email_quotation(draft.pk, by=other_rep)
    assert refused.value.code == "permission_denied"
    assert decisions() == before and smtp.messages == []


def test_the_pdf_prints_what_the_customer_needs_to_decide(draft, jane):
    """The PDF is printed from a page that names company, customer and contact, each
    line with its price, discount, taxes, subtotal and promise date, the totals, the
    validity and the acceptance link."""
    link = "https://erp.example.com/q/abc/"
    html = render_to_string("sales/quotation/pdf.html", quotation_documents.context_of(draft, link))
    printed = " ".join(re.sub(r"<[^>]+>", " ", html.split("</style>")[1]).split())
    assert f"From {draft.company.name} Test Rep.Ann For Acme Corp Attn. Jane Roe" in printed
    assert "Date 2026-06-01 Valid until 2026-07-01 Currency USD" in printed
    assert (
        "Widget 2 90.00 0 Sales tax 10% 180.00 2026-06-01 "
        "Gadget 3 50.00 0 Sales tax 10% 150.00 2026-06-01"
    ) in printed
    assert "Untaxed 330.00 USD Taxes 33.00 USD Total 363.00 USD" in printed
    assert f"Accept or decline this quotation online: {link}" in printed
    pdf = quotation_documents.render_pdf(draft, link)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert quotation_documents.pdf_filename(draft) == "SQ-00001.pdf"


def test_the_customer_accepts_with_their_name_and_the_order_is_confirmed(sent, deal, rep):
    """Given Ann's sent quotation and its link;
    When Jane accepts it on 2 June as "Jane Roe" from 203.0.113.7;
    Then the order is confirmed by Ann (its owner), stock is reserved, the deal is won,
    and the acceptance is on the quotation and on the deal's timeline."""
    token = acceptance.token_for(sent)

    # When
    order = acceptance.accept(token, name="  Jane Roe ", ip="203.0.113.7", on_date=JUNE_2)

    # Then
    assert (order.number, order.status, order.owner, order.amount_total) == (
        "SO/00001",
        "confirmed",
        rep,
        D("363.00"),
    )
    quote = Quotation.objects.get(pk=sent.pk)
    assert (quote.status, quote.accepted_name, quote.decided_ip) == (
        "confirmed",
        "Jane Roe",
        "203.0.113.7",
    )
    assert quote.accepted_at is not None
    confirmed = StatusChange.objects.get(
        content_type__model="quotation", object_id=str(quote.pk), to_status="confirmed"
    )
    assert confirmed.changed_by == rep
    assert Opportunity.objects.get(pk=deal.pk).status == "won"
    entries = [e for e in timeline(deal) if e.kind == "quotation_accepted"]
    assert [(e.title, e.detail, e.user) for e in entries] == [
        ("Quotation SQ/00001 accepted online by Jane Roe", "363.00 USD", "Jane Roe")
    ]


def test_the_customer_declines_with_a_reason_and_the_deal_stays_open(sent, deal):
    """Given Ann's sent quotation; When Jane declines it "Too expensive";
    Then the quotation is declined with the reason, the deal is still open, and the
    decline is on the deal's timeline."""
    found = acceptance.decline(
        acceptance.token_for(sent), reason="Too expensive", ip="203.0.113.7", on_date=JUNE_2
    )
    assert (found.status, found.decline_reason, found.decided_ip) == (
        "declined",
        "Too expensive",
        "203.0.113.7",
    )
    assert Opportunity.objects.get(pk=deal.pk).status == "open"
    assert SalesOrder.objects.count() == 0
    entries = [e for e in timeline(deal) if e.kind == "quotation_declined"]
    assert [(e.title, e.detail) for e in entries] == [
        ("Quotation SQ/00001 declined online", "Too expensive")
    ]


def _tampered(token: str) -> str:
    value, signature = token.rsplit(":", 1)
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


@pytest.mark.parametrize(
    ("case", "error", "code"),
    [
        ("tampered", AcceptanceLinkInvalid, "acceptance_link_invalid"),
        ("forged", AcceptanceLinkInvalid, "acceptance_link_invalid"),
        ("link expired", AcceptanceLinkExpired, "acceptance_link_expired"),
        ("quotation expired", QuotationExpired, "quotation_expired"),
        ("already accepted", QuotationDecided, "quotation_already_decided"),
        ("already declined", QuotationDecided, "quotation_already_decided"),
        ("not sent", None, "quotation_not_open"),
        ("blank name", InvalidInput, "invalid"),
    ],
)
def test_refused_decisions_change_nothing(case, error, code, sent, rep, settings):
    """A tampered or forged link, an expired link or quotation, a quotation already
    decided or no longer sent, or no name: refused with a clear reason, nothing changed."""
    token, on_date, name = acceptance.token_for(sent), JUNE_2, "Jane Roe"
    if case == "tampered":
        token = _tampered(token)
    elif case == "forged":
        token = signing.dumps({"q": sent.pk, "r": sent.revision}, salt="another purpose")
    elif case == "link expired":
        settings.SALES_QUOTATION_LINK_MAX_AGE = -1
    elif case == "quotation expired":
        on_date = JULY_2
    elif case == "already accepted":
        acceptance.accept(token, name="Jane Roe", on_date=JUNE_2)
    elif case == "already declined":
        acceptance.decline(token, reason="No budget", on_date=JUNE_2)
    elif case == "not sent":
        quotations.cancel(sent.pk, by=rep, reason="Lost touch")
    elif case == "blank name":
        name = "   "
    before = decisions()

    with pytest.raises(error or Exception) as refused:
        acceptance.accept(token, name=name, ip="203.0.113.7", on_date=on_date)

    assert refused.value.code == code
    assert decisions() == before


def test_a_decline_needs_a_reason(sent):
    before = decisions()
    with pytest.raises(InvalidInput) as refused:
        acceptance.decline(acceptance.token_for(sent), reason="", on_date=JUNE_2)
    assert (refused.value.field, refused.value.detail) == (
        "reason",
        "Tell us why you decline, so we can do better.",
    )
    assert decisions() == before


def test_messages_say_what_to_do(sent, settings):
    """The refusals a customer reads say what happened and what to do next."""
    token = acceptance.token_for(sent)
    with pytest.raises(QuotationExpired) as expired:
        acceptance.accept(token, name="Jane", on_date=JULY_2)
    assert expired.value.detail == (
        "SQ/00001 expired on 2026-07-01; ask for a new quotation with today's prices and stock."
    )
    acceptance.accept(token, name="Jane Roe", on_date=JUNE_2)
    with pytest.raises(QuotationDecided) as twice:
        acceptance.decline(token, reason="Changed my mind", on_date=JUNE_2)
    assert twice.value.detail == "SQ/00001 was already accepted by Jane Roe; nothing more to do."
    with pytest.raises(AcceptanceLinkInvalid) as tampered:
        acceptance.quotation_of(_tampered(token))
    assert tampered.value.detail == (
        "This link is not valid; check that it was copied whole from the e-mail."
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_decisions_on_one_link_make_one_order(
    company, wh, widget, gadget, price_list, acme, rep
):
    """Given a sent quotation; When eight browsers submit at the same moment, four
    accepting and four declining; Then exactly one decision wins (one order, or none
    and declined), the seven others are refused as already decided, and nothing is
    reserved twice."""
    quote = quotations.create_quotation(
        company,
        party=acme,
        warehouse=wh,
        quote_date=JUNE_1,
        lines=[{"product": widget, "quantity": 2}, {"product": gadget, "quantity": 3}],
        by=rep,
    )
    token = acceptance.token_for(quotations.send(quote.pk, by=rep))
    turns = iter(range(8))

    def decide():
        if next(turns) % 2:
            acceptance.decline(token, reason="No", on_date=JUNE_2)
        else:
            acceptance.accept(token, name="Jane Roe", on_date=JUNE_2)

    errors = run_together(decide, 8)

    assert sorted(getattr(e, "code", repr(e)) for e in errors) == ["quotation_already_decided"] * 7
    final = Quotation.objects.get(pk=quote.pk)
    assert final.status in ("confirmed", "declined")
    assert SalesOrder.objects.count() == (1 if final.status == "confirmed" else 0)
    changes = StatusChange.objects.filter(
        content_type__model="quotation", object_id=str(quote.pk), to_status=final.status
    )
    assert changes.count() == 1
