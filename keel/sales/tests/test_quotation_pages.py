"""The customer's public quotation page (no login, the link is the key) and the rep's
buttons and API for the PDF, the e-mail and the link: each answers what it should,
and each refusal is a clear page or a 4xx JSON that changes nothing."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from ..models import Quotation, SalesOrder
from ..services import acceptance, quotations, revisions
from .test_quotation_acceptance import decisions

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def sent(company, wh, widget, gadget, price_list, acme, rep):
    """Ann's quotation for Acme, dated today and sent: 2 widgets at 90.00 and 3 gadgets
    at 50.00 (330.00)."""
    quote = quotations.create_quotation(
        company,
        party=acme,
        warehouse=wh,
        quote_date=timezone.localdate(),
        lines=[{"product": widget, "quantity": 2}, {"product": gadget, "quantity": 3}],
        by=rep,
    )
    return quotations.send(quote.pk, by=rep)


def _page(token: str) -> str:
    return reverse("sales_public:quotation", args=[token])


def test_the_customer_reads_the_quotation_and_accepts_it_without_an_account(sent, rep):
    """Given Ann's sent quotation and its link;
    When the customer opens it (no login) and accepts as "Jane Roe";
    Then the page showed the lines with their promise dates and the total, and then
    thanks Jane; the order is confirmed, with the address she came from."""
    client = Client(enforce_csrf_checks=True)
    url = _page(acceptance.token_for(sent))

    # When she opens it
    shown = client.get(url)

    # Then
    assert shown.status_code == 200
    html = shown.content.decode()
    today = timezone.localdate().isoformat()
    assert "Quotation SQ/00001" in html and "363.00" not in html
    assert html.count('data-testid="quotation-line"') == 2
    assert html.count(f'<td data-testid="promise-date">{today}</td>') == 2
    assert '<strong data-testid="quotation-total">330.00 USD</strong>' in html
    assert 'data-testid="accept-form"' in html and 'data-testid="decline-form"' in html

    # When she accepts, with the form's CSRF token
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        url,
        {"decision": "accept", "name": "Jane Roe", "csrfmiddlewaretoken": token},
        REMOTE_ADDR="198.51.100.4",
    )

    # Then
    assert accepted.status_code == 200
    assert "Thank you, Jane Roe: you accepted quotation SQ/00001." in accepted.content.decode()
    order = SalesOrder.objects.get(quotation=sent)
    assert (order.number, order.status, order.owner) == ("SO/00001", "confirmed", rep)
    quote = Quotation.objects.get(pk=sent.pk)
    assert (quote.accepted_name, quote.decided_ip) == ("Jane Roe", "198.51.100.4")

    # And the link now says it was decided, with a 409 and no forms
    again = client.get(url)
    assert again.status_code == 409
    assert (
        "SQ/00001 was already accepted by Jane Roe; nothing more to do." in again.content.decode()
    )
    assert 'data-testid="accept-form"' not in again.content.decode()


def test_the_customer_declines_with_a_reason(sent):
    """When the customer declines "Found it cheaper"; Then the page confirms it and the
    quotation is declined with the reason."""
    url = _page(acceptance.token_for(sent))
    declined = Client().post(url, {"decision": "decline", "reason": "Found it cheaper"})
    assert declined.status_code == 200
    assert "You declined quotation SQ/00001." in declined.content.decode()
    quote = Quotation.objects.get(pk=sent.pk)
    assert (quote.status, quote.decline_reason) == ("declined", "Found it cheaper")


def test_a_blank_name_is_shown_at_the_field_and_changes_nothing(sent):
    url = _page(acceptance.token_for(sent))
    before = decisions()
    refused = Client().post(url, {"decision": "accept", "name": " "})
    assert refused.status_code == 400
    assert (
        '<p class="error" data-testid="error-name">Type your full name to accept the quotation.</p>'
        in refused.content.decode()
    )
    assert decisions() == before


def test_a_post_without_the_csrf_token_is_refused(sent):
    before = decisions()
    refused = Client(enforce_csrf_checks=True).post(
        _page(acceptance.token_for(sent)), {"decision": "accept", "name": "Jane Roe"}
    )
    assert refused.status_code == 403
    assert decisions() == before


@pytest.mark.parametrize(
    ("case", "status", "says"),
    [
        ("tampered", 404, "This link is not valid; check that it was copied whole"),
        ("link expired", 410, "This link has expired; ask your contact for a new one."),
        ("quotation expired", 409, "ask for a new quotation with today's prices and stock"),
        ("cancelled", 409, "SQ/00001 is cancelled; it cannot be accepted or declined now."),
        ("revised", 404, "This link is for an earlier revision of SQ/00001; use the link in"),
    ],
)
def test_a_link_that_no_longer_works_says_why_and_changes_nothing(
    case, status, says, sent, rep, settings
):
    """A tampered or expired link, an expired, cancelled or since revised quotation: the
    page says why with a 4xx status, offers no form, and accepting anyway changes
    nothing."""
    token = acceptance.token_for(sent)
    if case == "tampered":
        token = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    elif case == "link expired":
        settings.SALES_QUOTATION_LINK_MAX_AGE = -1
    elif case == "quotation expired":
        Quotation.objects.filter(pk=sent.pk).update(
            quote_date=timezone.localdate().replace(year=2025),
            valid_until=timezone.localdate().replace(year=2025),
        )
    elif case == "cancelled":
        quotations.cancel(sent.pk, by=rep)
    elif case == "revised":
        quotations.send(revisions.revise(sent.pk, by=rep).pk, by=rep)
    before = decisions()

    shown = Client().get(_page(token))
    posted = Client().post(_page(token), {"decision": "accept", "name": "Jane Roe"})

    for response in (shown, posted):
        assert response.status_code == status
        assert says in unescape(response.content.decode())
        assert 'data-testid="accept-form"' not in response.content.decode()
    assert decisions() == before


def test_the_customer_downloads_the_pdf_from_the_page(sent):
    response = Client().get(
        reverse("sales_public:quotation_pdf", args=[acceptance.token_for(sent)])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="SQ-00001.pdf"'


# --- the rep's side: the PDF button and the e-mail, on the page and in the API -------


def test_the_rep_downloads_the_pdf_and_another_rep_cannot(sent, rep, other_rep, signed_in):
    url = reverse("admin:sales_quotation_download_pdf", args=[sent.pk])
    mine = signed_in(rep).get(url)
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    assert signed_in(other_rep).get(url).status_code == 403


def test_the_send_button_e_mails_the_quotation(company, wh, gadget, acme, rep, smtp, signed_in):
    """Given Ann's draft; When she presses "Send by e-mail"; Then Acme gets it and the
    quotation is sent."""
    quote = quotations.create_quotation(
        company, party=acme, warehouse=wh, lines=[{"product": gadget, "quantity": 1}], by=rep
    )
    response = signed_in(rep).post(reverse("admin:sales_quotation_send_quotation", args=[quote.pk]))
    assert response.status_code == 302
    assert [m["To"] for m in smtp.messages] == ["buyer@acme.example"]
    assert Quotation.objects.get(pk=quote.pk).status == "sent"


def test_the_api_sends_by_e_mail_and_serves_the_pdf(
    company, wh, gadget, acme, rep, other_rep, api_as, smtp
):
    """POST send e-mails the quotation (the link in the body opens it through the
    public API); GET pdf is the PDF; Bob gets 404 for Ann's."""
    quote = quotations.create_quotation(
        company, party=acme, warehouse=wh, lines=[{"product": gadget, "quantity": 1}], by=rep
    )
    sent = api_as(rep).post(f"{API}/quotations/{quote.pk}/send/")
    assert sent.status_code == 200, sent.json()
    assert (sent.json()["status"], sent.json()["emailed_to"]) == ("sent", "buyer@acme.example")
    (message,) = smtp.messages
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "http://testserver/q/" in body
    pdf = api_as(rep).get(f"{API}/quotations/{quote.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert api_as(other_rep).get(f"{API}/quotations/{quote.pk}/pdf/").status_code == 404
    before = decisions()
    assert api_as(other_rep).post(f"{API}/quotations/{quote.pk}/send/").status_code == 404
    assert decisions() == before


def test_the_api_refuses_a_send_without_an_address(company, wh, gadget, rep, api_as, smtp):
    from .factories import customer

    quote = quotations.create_quotation(
        company,
        party=customer(company, "Nomail Ltd"),
        warehouse=wh,
        lines=[{"product": gadget, "quantity": 1}],
        by=rep,
    )
    before = decisions()
    refused = api_as(rep).post(f"{API}/quotations/{quote.pk}/send/")
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "code": "recipient_email_missing",
            "detail": "Nomail Ltd has no e-mail address; add one to the customer first.",
            "field": "party",
        },
    )
    assert decisions() == before and smtp.messages == []


def test_the_public_api_shows_accepts_and_declines_by_token(sent, company, wh, gadget, acme, rep):
    """Without an account: GET shows the quotation, POST accept confirms it (201),
    POST decline declines another; a second decision and a tampered token are 4xx
    JSON and change nothing."""
    client = Client()
    token = acceptance.token_for(sent)
    shown = client.get(f"{API}/quotation-links/{token}/")
    assert shown.status_code == 200
    assert (shown.json()["number"], shown.json()["amount_total"], len(shown.json()["lines"])) == (
        "SQ/00001",
        "330.0000",
        2,
    )
    assert "owner" not in shown.json()
    accepted = client.post(
        f"{API}/quotation-links/{token}/accept/",
        {"name": "Jane Roe"},
        content_type="application/json",
    )
    assert accepted.status_code == 201, accepted.json()
    assert (accepted.json()["status"], accepted.json()["accepted_name"]) == (
        "confirmed",
        "Jane Roe",
    )
    before = decisions()
    twice = client.post(
        f"{API}/quotation-links/{token}/decline/", {"reason": "No"}, content_type="application/json"
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "quotation_already_decided")
    tampered = client.get(f"{API}/quotation-links/{token[:-2]}xx/")
    assert (tampered.status_code, tampered.json()["code"]) == (404, "acceptance_link_invalid")
    blank = client.post(
        f"{API}/quotation-links/{token}/accept/", {"name": ""}, content_type="application/json"
    )
    assert (blank.status_code, blank.json()["field"]) == (400, "name")
    assert decisions() == before

    other = quotations.send(
        quotations.create_quotation(
            company,
            party=acme,
            warehouse=wh,
            quote_date=timezone.localdate(),
            lines=[{"product": gadget, "quantity": 1}],
            by=rep,
        ).pk,
        by=rep,
    )
    other_token = acceptance.token_for(other)
    empty = client.post(
        f"{API}/quotation-links/{other_token}/decline/",
        {"reason": ""},
        content_type="application/json",
    )
    assert (empty.status_code, empty.json()["code"], empty.json()["field"]) == (
        400,
        "invalid",
        "reason",
    )
    declined = client.post(
        f"{API}/quotation-links/{other_token}/decline/",
        {"reason": "Too late"},
        content_type="application/json",
    )
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")


def test_an_accountant_cannot_send_quotations(sent, company, api_as):
    accountant = user_with_role(Role.ACCOUNTANT, "acc.carl", company=company)
    before = decisions()
    assert api_as(accountant).post(f"{API}/quotations/{sent.pk}/send/").status_code in (403, 404)
    assert decisions() == before
