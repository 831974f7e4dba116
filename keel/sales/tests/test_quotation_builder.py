"""The rep's quotation builder: from an opportunity (customer, contact and currency
carried over) or directly; each line row shows its price, the price rule, what is
available and the promise date while the rep types; saving makes the draft through
the service, and its refusals show at the field and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from ..models import Quotation
from .snapshots import state

pytestmark = pytest.mark.django_db
NEW = reverse("sales:quotation_new")
PREVIEW = reverse("sales:line_preview")


def _post(wh, rows, **header):
    data = {
        "party": header.get("party", ""),
        "contact": header.get("contact", ""),
        "opportunity": header.get("opportunity", ""),
        "warehouse": wh.pk,
        "valid_until": header.get("valid_until", "2099-12-31"),
        "invoicing_policy": "ordered",
        "lines-TOTAL_FORMS": len(rows),
        "lines-INITIAL_FORMS": 0,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{index}-{key}"] = value
    return data


def test_the_opportunity_offers_a_new_quotation_to_its_owner(deal, rep, company, signed_in):
    """Ann sees "New quotation" on her deal's page; an auditor, who cannot quote, does not."""
    url = reverse("admin:crm_opportunity_change", args=[deal.pk])
    page = signed_in(rep).get(url).content.decode()
    assert f'href="{NEW}?opportunity={deal.pk}"' in page
    auditor = user_with_role(Role.AUDITOR, "audit.ida", company=company)
    assert 'data-testid="new-quotation"' not in signed_in(auditor).get(url).content.decode()


def test_the_quotations_list_offers_a_new_quotation(rep, company, signed_in):
    """The quotations list has a "New quotation" button that opens the builder; an
    accountant has neither."""
    client = signed_in(rep)
    button = reverse("admin:sales_quotation_new_quotation")
    page = client.get(reverse("admin:sales_quotation_changelist")).content.decode()
    assert f'href="{button}"' in page
    assert client.get(button)["Location"] == NEW
    accountant = signed_in(user_with_role(Role.ACCOUNTANT, "acc.carl", company=company))
    assert accountant.get(button).status_code == 403


def test_the_builder_starts_from_the_opportunity(
    deal, acme, jane, wh, widget, rep, django_assert_max_num_queries, signed_in
):
    """Given Ann's deal with Acme (contact Jane); When she opens the builder from it;
    Then customer and contact are chosen, the validity is 30 days on, and the page
    answers in a fixed number of queries."""
    client = signed_in(rep)
    client.get(f"{NEW}?opportunity={deal.pk}")  # session and menu warm up once
    with django_assert_max_num_queries(30):
        response = client.get(f"{NEW}?opportunity={deal.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert (form["party"].value(), form["contact"].value(), form["warehouse"].value()) == (
        acme.pk,
        jane.pk,
        wh.pk,
    )
    assert form["valid_until"].value() == timezone.localdate() + dt.timedelta(days=30)
    assert len(response.context["lines"].forms) == 5
    assert 'data-testid="from-opportunity"' in response.content.decode()


def test_another_rep_cannot_quote_anns_opportunity(deal, other_rep, signed_in):
    before = state()
    assert signed_in(other_rep).get(f"{NEW}?opportunity={deal.pk}").status_code == 403
    assert signed_in(other_rep).post(NEW, {"opportunity": deal.pk}).status_code == 403
    assert state() == before


def test_an_accountant_cannot_open_the_builder(company, signed_in):
    accountant = user_with_role(Role.ACCOUNTANT, "acc.carl", company=company)
    assert signed_in(accountant).get(NEW).status_code == 403
    assert signed_in(accountant).get(PREVIEW).status_code == 403


def test_a_line_shows_its_price_rule_stock_and_promise_date_live(
    acme, wh, widget, price_list, rep, signed_in
):
    """Given 6 widgets on hand and a 10%-off rule; When Ann picks 4 widgets, then 8;
    Then the row shows 90.00 by the rule, 6 available now and today as the promise
    date for 4; for 8 no promise date (not enough with what is known)."""
    client = signed_in(rep)
    base = {"row": "lines-0", "party": acme.pk, "warehouse": wh.pk, "lines-0-product": widget.pk}
    four = client.get(PREVIEW, {**base, "lines-0-quantity": "4"}).content.decode()
    assert '<strong data-testid="line-price">90.00 USD</strong>' in four
    assert '<strong data-testid="line-atp">6</strong>' in four
    today = timezone.localdate().isoformat()
    assert f'<strong data-testid="line-promise">{today}</strong>' in four
    assert "Rule &#x27;Widgets 10% off&#x27; of price list &#x27;Standard&#x27;" in four
    eight = client.get(PREVIEW, {**base, "lines-0-quantity": "8"}).content.decode()
    assert "not with the stock and receipts known" in eight
    none = client.get(PREVIEW, {**base, "lines-0-quantity": "-1"}).content.decode()
    assert "Enter a quantity above zero to see price and stock." in none


def test_saving_makes_the_draft_from_the_opportunity(
    deal, acme, jane, wh, widget, gadget, rep, signed_in
):
    """When Ann saves 2 widgets at 5% off and 3 gadgets (other rows empty);
    Then the draft SQ/00001 for Acme, contact Jane, is linked to the deal with
    the lines priced and promised, and she lands on it."""
    data = _post(
        wh,
        [
            {"product": widget.pk, "quantity": "2", "discount": "5"},
            {"product": "", "quantity": "", "discount": "0"},
            {"product": gadget.pk, "quantity": "3", "discount": "0"},
        ],
        party=acme.pk,
        contact=jane.pk,
        opportunity=deal.pk,
    )
    response = signed_in(rep).post(NEW, data)
    quote = Quotation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sales_quotation_change", args=[quote.pk])
    assert (quote.number, quote.party, quote.contact, quote.opportunity, quote.owner) == (
        "SQ/00001",
        acme,
        jane,
        deal,
        rep,
    )
    assert [
        (ln.product.sku, ln.quantity, ln.discount, ln.atp_quantity) for ln in quote.lines.all()
    ] == [
        ("WDG", 2, 5, 6),
        ("GDG", 3, 0, 20),
    ]
    assert str(quote.valid_until) == "2099-12-31"


def test_a_negative_quantity_is_shown_at_its_field_and_changes_nothing(
    acme, wh, widget, rep, signed_in
):
    before = state()
    data = _post(wh, [{"product": widget.pk, "quantity": "-2", "discount": "0"}], party=acme.pk)
    response = signed_in(rep).post(NEW, data)
    assert response.status_code == 400
    assert (
        '<p class="text-red-700 text-xs" data-testid="error-lines-0-quantity">'
        "Line 1: the quantity must be more than zero (got -2).</p>"
    ) in response.content.decode()
    assert state() == before


def test_no_customer_is_shown_at_the_customer_field(wh, widget, rep, signed_in):
    before = state()
    response = signed_in(rep).post(NEW, _post(wh, [{"product": widget.pk, "quantity": "1"}]))
    assert response.status_code == 400
    assert (
        'data-testid="error-party">Say who the quotation is for.</p>' in response.content.decode()
    )
    assert state() == before
