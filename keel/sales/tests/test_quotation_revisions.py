"""Revising a sent (or declined) quotation makes its next revision, a draft with the
same number; the old one is kept read-only and its acceptance link stops working."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from keel.core.errors import TransitionNotAllowed

from ..errors import AcceptanceLinkInvalid
from ..models import Quotation
from ..services import acceptance, quotation_documents, quotations, revisions
from .test_quotation_acceptance import decisions

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1, JUNE_5, JUNE_6 = dt.date(2026, 6, 1), dt.date(2026, 6, 5), dt.date(2026, 6, 6)
API = "/api/v1"


@pytest.fixture
def sent(company, wh, widget, gadget, price_list, deal, rep):
    """Ann's sent quotation from the Acme deal: 2 widgets at 90.00, 3 gadgets at 50.00."""
    quote = quotations.create_quotation(
        company,
        opportunity=deal,
        warehouse=wh,
        quote_date=JUNE_1,
        lines=[{"product": widget, "quantity": 2}, {"product": gadget, "quantity": 3}],
        by=rep,
    )
    return quotations.send(quote.pk, by=rep)


def test_a_revision_keeps_the_number_and_the_old_one_read_only(sent, rep, deal):
    """Given Ann's sent SQ/00001 and its link;
    When she revises it on 5 June;
    Then SQ/00001 rev 2 is a draft with the same lines priced again, valid 30 days,
    still for the deal; rev 1 is kept as revised and its link no longer works; once
    rev 2 is sent, its own link accepts it."""
    old_link = acceptance.token_for(sent)

    # When
    second = revisions.revise(sent.pk, by=rep, quote_date=JUNE_5)

    # Then
    assert (str(second), second.number, second.revision, second.status) == (
        "SQ/00001 rev 2",
        "SQ/00001",
        2,
        "draft",
    )
    assert (second.revision_of_id, second.opportunity, second.owner) == (sent.pk, deal, rep)
    assert (second.quote_date, second.valid_until, second.amount_total) == (
        JUNE_5,
        dt.date(2026, 7, 5),
        D("330.00"),
    )
    assert [(ln.product.sku, ln.quantity, ln.unit_price) for ln in second.lines.all()] == [
        ("WDG", 2, 90),
        ("GDG", 3, 50),
    ]
    first = Quotation.objects.get(pk=sent.pk)
    assert (first.status, first.revision) == ("revised", 1)
    assert [ln.quantity for ln in first.lines.all()] == [2, 3]
    with pytest.raises(AcceptanceLinkInvalid) as refused:
        acceptance.accept(old_link, name="Jane Roe", on_date=JUNE_6)
    assert refused.value.detail == (
        "This link is for an earlier revision of SQ/00001; use the link in the latest e-mail."
    )
    assert quotation_documents.pdf_filename(second) == "SQ-00001-rev2.pdf"

    # When rev 2 is sent and accepted through its own link
    quotations.send(second.pk, by=rep)
    order = acceptance.accept(acceptance.token_for(second), name="Jane Roe", on_date=JUNE_6)
    assert (order.quotation_id, order.amount_total) == (second.pk, D("330.00"))


def test_a_declined_quotation_is_revised_with_new_lines(sent, rep, widget):
    """Given Jane declined SQ/00001 ("Too many gadgets"); When Ann revises it with 2
    widgets only; Then rev 2 has that line and totals 180.00."""
    acceptance.decline(acceptance.token_for(sent), reason="Too many gadgets", on_date=JUNE_5)
    second = revisions.revise(
        sent.pk, by=rep, quote_date=JUNE_5, lines=[{"product": widget, "quantity": 2}]
    )
    assert (second.revision, second.amount_total, second.lines.count()) == (2, D("180.00"), 1)
    assert Quotation.objects.get(pk=sent.pk).status == "revised"


@pytest.mark.parametrize("case", ["draft", "revised", "other rep", "negative quantity"])
def test_refused_revisions_change_nothing(case, sent, rep, other_rep, widget):
    """A draft (still editable), an already revised quotation, another rep's, or a
    negative quantity: refused, nothing changed."""
    by, lines = rep, None
    target = sent
    if case == "draft":
        target = revisions.revise(sent.pk, by=rep, quote_date=JUNE_5)
    elif case == "revised":
        revisions.revise(sent.pk, by=rep, quote_date=JUNE_5)
    elif case == "other rep":
        by = other_rep
    else:
        lines = [{"product": widget, "quantity": -1}]
    before = decisions()
    with pytest.raises(Exception) as refused:
        revisions.revise(target.pk, by=by, quote_date=JUNE_5, lines=lines)
    expected = {
        "draft": "transition_not_allowed",
        "revised": "transition_not_allowed",
        "other rep": "permission_denied",
        "negative quantity": "invalid",
    }[case]
    assert refused.value.code == expected
    if case == "draft":
        assert isinstance(refused.value, TransitionNotAllowed)
        assert refused.value.detail == (
            "SQ/00001 rev 2 is draft; only a sent or declined quotation is revised (a draft "
            "is still yours to change)."
        )
    assert decisions() == before


def test_the_revise_button_opens_the_new_revision(sent, rep, signed_in):
    response = signed_in(rep).post(
        reverse("admin:sales_quotation_revise_quotation", args=[sent.pk])
    )
    second = Quotation.objects.get(revision=2)
    assert response["Location"] == reverse("admin:sales_quotation_change", args=[second.pk])


def test_the_api_revises_and_refuses(sent, rep, other_rep, api_as, gadget):
    """POST revise answers rev 2 (201) with the given lines; revising it again while a
    draft is 409; Bob gets 404; nothing changes on a refusal."""
    made = api_as(rep).post(
        f"{API}/quotations/{sent.pk}/revise/",
        {"quote_date": "2026-06-05", "lines": [{"product": gadget.pk, "quantity": "4"}]},
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["number"], body["revision"], body["revision_of"], body["amount_total"]) == (
        "SQ/00001",
        2,
        sent.pk,
        "200.0000",
    )
    before = decisions()
    again = api_as(rep).post(f"{API}/quotations/{body['id']}/revise/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
    bob = api_as(other_rep).post(f"{API}/quotations/{sent.pk}/revise/", {}, format="json")
    assert bob.status_code == 404
    assert decisions() == before
