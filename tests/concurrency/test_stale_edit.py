"""Two people edit the same record, on PostgreSQL. Both load version 1 and both
change it; the first save wins and the second is refused, 412 in the API (If-Match:
the ETag it read) and a message on the form in the workspace; nothing of the second
edit is written. One mechanism everywhere: keel.core.api.versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from rest_framework.test import APIClient

from keel.accounting.models import Invoice
from keel.accounting.tests.factories import books, invoice, party
from keel.core.tests.concurrency import race
from keel.core.tests.factories import CompanyFactory
from keel.parties.models import Party
from keel.parties.services.parties import create_party
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
STALE = "was changed by someone else since you opened it (version 2, yours 1)"


@pytest.fixture
def acme_and_two_managers():
    """Acme, a customer at version 1, and two sales managers, Ann and Bob."""
    company = CompanyFactory(name="Stale Co")
    acme = create_party(company=company, name="Acme", is_customer=True, notes="Old note")
    ann = user_with_role(Role.SALES_MANAGER, "ann", company=company)
    bob = user_with_role(Role.SALES_MANAGER, "bob", company=company)
    return company, acme, ann, bob


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _row(pk: int) -> tuple:
    return Party.objects.filter(pk=pk).values_list("version", "phone", "notes").get()


def test_the_second_api_save_of_a_customer_is_refused_412(acme_and_two_managers):
    """Given Ann and Bob both read Acme (ETag "1");
    When Ann saves a new phone with If-Match "1", then Bob saves a new note with
    If-Match "1";
    Then Ann's save is 200 with ETag "2", Bob's is 412 stale_record saying so, and Acme
    has Ann's phone and still the old note."""
    _, acme, ann, bob = acme_and_two_managers
    url = f"/api/v1/parties/{acme.pk}/"
    assert {_api(u).get(url)["ETag"] for u in (ann, bob)} == {'"1"'}

    first = _api(ann).patch(url, {"phone": "+1 555 0100"}, format="json", HTTP_IF_MATCH='"1"')
    second = _api(bob).patch(url, {"notes": "Bob's note"}, format="json", HTTP_IF_MATCH='"1"')

    assert (first.status_code, first["ETag"]) == (200, '"2"')
    assert second.status_code == 412
    assert second.json()["code"] == "stale_record"
    assert STALE in second.json()["detail"]
    assert _row(acme.pk) == (2, "+1 555 0100", "Old note")


def test_two_api_saves_at_the_same_moment_one_wins_one_is_refused(acme_and_two_managers):
    """Given Ann and Bob both read Acme (version 1);
    When they save different changes at the same moment, each with If-Match "1";
    Then exactly one is 200 and the other 412, and Acme holds the winner's change only."""
    _, acme, ann, bob = acme_and_two_managers
    url = f"/api/v1/parties/{acme.pk}/"
    edits = [(ann, {"phone": "+1 555 0100"}), (bob, {"notes": "Bob's note"})]

    outcome = race(
        lambda i: _api(edits[i][0]).patch(url, edits[i][1], format="json", HTTP_IF_MATCH='"1"'),
        2,
    )

    assert outcome.errors == []
    codes = {i: outcome.results[i].status_code for i in (0, 1)}
    assert sorted(codes.values()) == [200, 412]
    winner = 0 if codes[0] == 200 else 1
    expected = (2, "+1 555 0100", "Old note") if winner == 0 else (2, "", "Bob's note")
    assert _row(acme.pk) == expected


def _change_form(acme: Party, user, change: dict) -> tuple[Client, dict]:
    """`user`'s browser on Acme's change page (version 1), the form filled with `change`."""
    client = Client()
    client.force_login(user)
    page = client.get(f"/parties/party/{acme.pk}/change/")
    assert page.status_code == 200 and 'name="seen_version" value="1"' in page.content.decode()
    form = {
        "kind": "organisation",
        "name": "Acme",
        "notes": "Old note",
        "is_customer": "on",
        "active": "on",
        "seen_version": 1,
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    return client, {**form, **change}


def test_the_second_save_in_the_workspace_shows_the_conflict_on_the_form(
    acme_and_two_managers,
):
    """Given Ann and Bob both opened Acme's page (version 1);
    When Ann saves a new phone, then Bob saves a new note;
    Then Ann's save goes through, Bob's form comes back (200) with the conflict stated
    on it and his note still in the field to re-apply, and nothing of his is written."""
    _, acme, ann, bob = acme_and_two_managers
    ann_browser, ann_form = _change_form(acme, ann, {"phone": "+1 555 0100"})
    bob_browser, bob_form = _change_form(acme, bob, {"notes": "Bob's note"})

    assert ann_browser.post(f"/parties/party/{acme.pk}/change/", ann_form).status_code == 302
    refused = bob_browser.post(f"/parties/party/{acme.pk}/change/", bob_form)

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert [STALE in error for error in form.non_field_errors()] == [True]
    assert form["notes"].value() == "Bob's note"
    assert _row(acme.pk) == (2, "+1 555 0100", "Old note")


def test_two_workspace_saves_at_the_same_moment_one_wins_one_is_told(acme_and_two_managers):
    """Given Ann and Bob both opened Acme's page (version 1);
    When both save at the same moment;
    Then one save is written and the other is refused with the conflict, whether it was
    caught by the form (it saw version 2) or by the service's row lock (it read the
    page before the first committed); nothing of the loser is written."""
    _, acme, ann, bob = acme_and_two_managers
    browsers = [
        _change_form(acme, ann, {"phone": "+1 555 0100"}),
        _change_form(acme, bob, {"notes": "Bob's note"}),
    ]
    url = f"/parties/party/{acme.pk}/change/"

    outcome = race(lambda i: browsers[i][0].post(url, browsers[i][1]), 2)

    assert outcome.errors == []
    answers = [outcome.results[0], outcome.results[1]]
    saved = [i for i, a in enumerate(answers) if a.status_code == 302 and not _told(a)]
    assert len(saved) == 1
    loser = answers[1 - saved[0]]
    assert _told(loser)
    expected = (2, "+1 555 0100", "Old note") if saved == [0] else (2, "", "Bob's note")
    assert _row(acme.pk) == expected


def _told(answer) -> bool:
    """Whether the page (its form, or the message after the redirect) says the record
    was changed by someone else."""
    if answer.status_code == 200:
        return any(STALE in e for e in answer.context["adminform"].form.non_field_errors())
    return any(STALE in str(m) for m in get_messages(answer.wsgi_request))


def test_the_second_save_of_a_draft_invoice_is_refused_412():
    """Given a draft invoice of 100.00 read by two accountants (ETag "1");
    When both save different notes at the same moment with If-Match "1";
    Then one is 200 (ETag "2") and the other 412, and the draft has the winner's note."""
    company = CompanyFactory(name="Stale Books Co")
    books(company)
    draft = invoice(company, party(company, "Acme"), post=False)
    clerks = [user_with_role(Role.ACCOUNTANT, f"acc.{n}", company=company) for n in (1, 2)]
    url = f"/api/v1/invoices/{draft.pk}/"
    assert {_api(c).get(url)["ETag"] for c in clerks} == {'"1"'}

    outcome = race(
        lambda i: _api(clerks[i]).patch(
            url, {"notes": f"Note {i}"}, format="json", HTTP_IF_MATCH='"1"'
        ),
        2,
    )

    assert outcome.errors == []
    codes = [outcome.results[i].status_code for i in (0, 1)]
    assert sorted(codes) == [200, 412]
    winner = codes.index(200)
    assert outcome.results[winner]["ETag"] == '"2"'
    assert outcome.results[1 - winner].json()["code"] == "stale_record"
    saved = Invoice.objects.get(pk=draft.pk)
    assert (saved.version, saved.notes, saved.amount_total) == (2, f"Note {winner}", D("100.00"))
