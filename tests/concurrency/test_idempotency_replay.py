"""The same POST replayed with one Idempotency-Key, on PostgreSQL: ten at once (a
client firing retries, a double click through a script) and ten one after another
(retries after timeouts) have exactly one effect, and the nine repeats get the
first answer. The same key with another body is refused and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from keel.accounting.models import Invoice, JournalEntry, Payment
from keel.accounting.tests.factories import books, invoice, party
from keel.core.models import IdempotentRequest
from keel.core.tests.concurrency import race
from keel.core.tests.factories import CompanyFactory
from keel.core.tests.invariants import assert_invariants_hold
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
REPLAYS = 10


@pytest.fixture
def accountant_and_invoices():
    """An accountant's session, a draft and a posted invoice of 100.00 to Acme."""
    company = CompanyFactory(name="Replay Co")
    books(company)
    acme = party(company, "Acme")
    session = APIClient()
    session.force_login(user_with_role(Role.ACCOUNTANT, "acc.api", company=company))
    return company, session, invoice(company, acme, post=False), invoice(company, acme)


def _client(session: APIClient) -> APIClient:
    """A client of its own (one per thread) in the signed-in `session`: keys are scoped
    to the user the session (or the credentials) name."""
    client = APIClient()
    client.cookies = session.cookies
    return client


def _send(session, url: str, body: dict, key: str):
    return _client(session).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _one_answer(answers) -> None:
    """The first answer, and nine replays of it byte for byte."""
    assert len({(a.status_code, a.content) for a in answers}) == 1
    assert sorted(a.get("Idempotent-Replayed", "first") for a in answers) == (
        ["first"] + ["true"] * (REPLAYS - 1)
    )


@pytest.mark.parametrize("how", ["at once", "one after another"])
def test_posting_an_invoice_replayed_10_times_posts_it_once(accountant_and_invoices, how):
    """Given a draft invoice; When its "post" action is sent 10 times with one key
    (`how`); Then it is posted once, INV/2026/00002 with one entry, and all 10 answers
    are the first one's 200."""
    company, session, draft, _ = accountant_and_invoices
    url = f"/api/v1/invoices/{draft.pk}/post/"

    if how == "at once":
        outcome = race(lambda _: _send(session, url, {}, "post-draft-1"), REPLAYS)
        assert outcome.errors == []
        answers = list(outcome.results.values())
    else:
        answers = [_send(session, url, {}, "post-draft-1") for _ in range(REPLAYS)]

    _one_answer(answers)
    assert answers[0].status_code == 200
    assert answers[0].json()["number"] == "INV/2026/00002"
    assert Invoice.objects.get(pk=draft.pk).status == "posted"
    assert JournalEntry.objects.filter(journal__code="SAL").count() == 2
    assert_invariants_hold(company)


@pytest.mark.parametrize("how", ["at once", "one after another"])
def test_a_part_payment_replayed_10_times_pays_once(accountant_and_invoices, how):
    """Given a posted 100.00 invoice; When a payment of 30.00 is registered 10 times
    with one key (`how`), which would otherwise pay it three times over; Then one
    payment of 30.00 exists, 70.00 is left to pay and all 10 answers are the first's
    201."""
    company, session, _, posted = accountant_and_invoices
    url = f"/api/v1/invoices/{posted.pk}/pay/"
    body = {"amount": "30.00", "date": "2026-02-01"}

    if how == "at once":
        outcome = race(lambda _: _send(session, url, body, "pay-30"), REPLAYS)
        assert outcome.errors == []
        answers = list(outcome.results.values())
    else:
        answers = [_send(session, url, body, "pay-30") for _ in range(REPLAYS)]

    _one_answer(answers)
    assert answers[0].status_code == 201
    assert list(Payment.objects.values_list("amount", flat=True)) == [D("30.00")]
    assert _client(session).get(f"/api/v1/invoices/{posted.pk}/").json()["residual"] == "70.00"
    assert_invariants_hold(company)


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    accountant_and_invoices,
):
    """Given a payment of 30.00 made with key K; When K is sent again with 50.00 (at
    once from 5 threads); Then each is refused 422 idempotency_key_reused, and still
    only the 30.00 payment exists."""
    company, session, _, posted = accountant_and_invoices
    url = f"/api/v1/invoices/{posted.pk}/pay/"
    assert _send(session, url, {"amount": "30.00", "date": "2026-02-01"}, "K").status_code == 201

    outcome = race(lambda _: _send(session, url, {"amount": "50.00", "date": "2026-02-01"}, "K"), 5)

    assert outcome.errors == []
    assert {(a.status_code, a.json()["code"]) for a in outcome.results.values()} == {
        (422, "idempotency_key_reused")
    }
    assert list(Payment.objects.values_list("amount", flat=True)) == [D("30.00")]
    assert IdempotentRequest.objects.count() == 1
    assert_invariants_hold(company)
