"""A double click on "Register payment", on PostgreSQL: the two submits of the same
form arrive at the same moment; one payment is registered, the other submit is
told it was already done."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from keel.accounting.models import Invoice, JournalEntry, Payment
from keel.accounting.tests.factories import books, invoice, party
from keel.core.tests.concurrency import race
from keel.core.tests.factories import CompanyFactory
from keel.core.tests.invariants import assert_invariants_hold
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
TOKEN = re.compile(rb'name="submission" value="([0-9a-f]{32})"')


def _the_form_twice(amount: str):
    """An accountant's browser showing the pay form of a posted 100.00 invoice, and a
    second client in the same session (the second click)."""
    company = CompanyFactory(name="Double Click Co")
    books(company)
    posted = invoice(company, party(company, "Acme"))
    accountant = user_with_role(Role.ACCOUNTANT, "acc.one", company=company)
    first = Client()
    first.force_login(accountant)
    second = Client()
    second.cookies = first.cookies  # the same browser session
    url = reverse("admin:accounting_invoice_pay_document", args=[posted.pk])
    page = first.get(url)
    assert page.status_code == 200
    assert b"data-submit-once" in page.content  # the button disables itself on submit
    token = TOKEN.search(page.content).group(1).decode()
    form = {"amount": amount, "date": "2026-02-01", "submission": token}
    return company, posted, url, form, (first, second)


@pytest.mark.parametrize("amount", ["100.00", "40.00"], ids=["in full", "in part"])
def test_a_double_click_on_register_payment_pays_once(amount):
    """Given the pay form of a posted 100.00 invoice, filled with `amount`;
    When it is submitted twice at the same moment (a double click);
    Then one payment of `amount` is registered and one entry posted, the invoice is
    paid that much once; the first submit says "Payment registered.", the second
    that the form was already submitted, and `keel check` is clean."""
    # Given
    company, posted, url, form, clients = _the_form_twice(amount)

    # When
    outcome = race(lambda i: clients[i].post(url, form), 2)

    # Then
    assert outcome.errors == [] and outcome.refused == []
    responses = [outcome.results[0], outcome.results[1]]
    assert [r.status_code for r in responses] == [302, 302]
    said = sorted(str(m) for r in responses for m in get_messages(r.wsgi_request))
    assert said == [
        "Payment registered.",
        f"This form was already submitted (a double click?): the payment of {posted.number} "
        "was done once, not twice. Reload the page to see the result.",
    ]
    assert list(Payment.objects.values_list("amount", flat=True)) == [D(amount)]
    assert JournalEntry.objects.filter(journal__code="BNK").count() == 1
    paid = Invoice.objects.get(pk=posted.pk)
    expected = "paid" if amount == "100.00" else "partial"
    assert paid.payment_status == expected
    assert_invariants_hold(company)


def test_a_refused_payment_frees_the_form_for_a_corrected_submit():
    """Given the pay form filled with 150.00 for a 100.00 invoice (more than is due);
    When it is submitted, refused, corrected to 100.00 and submitted again;
    Then the refusal changed nothing and the corrected submit registers the payment."""
    company, posted, url, form, (client, _) = _the_form_twice("150.00")

    refused = client.post(url, form, follow=True)
    assert "exceeds the" in [str(m) for m in refused.context["messages"]][0]
    assert not Payment.objects.exists()

    client.post(url, {**form, "amount": "100.00"})
    assert list(Payment.objects.values_list("amount", flat=True)) == [D("100.00")]
    assert_invariants_hold(company)
