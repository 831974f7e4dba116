"""The matching API: suggestions per statement and per line, reconcile and
unreconcile a line; refused to the wrong role and to a line already matched, with
nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.users.roles import Role

from ..models import Invoice, JournalEntry, OpenItem, Payment
from .factories import bank_matching_state, confirmed_bank_lines, invoice, party

D = Decimal
LINES = "/api/v1/bank-statement-lines/"
STATEMENTS = "/api/v1/bank-statements/"


def _invoice(company, customer, amount: str) -> Invoice:
    lines = [{"description": "Consulting", "quantity": 1, "unit_price": amount}]
    return invoice(company, customer, lines, date=dt.date(2026, 3, 10))


def _setup(company, books):
    """Acme's invoice of 1,200.00 and Globex's of 80.00; a statement paying both."""
    acme, globex = party(company, "Acme Corp"), party(company, "Globex")
    first, second = _invoice(company, acme, "1200.00"), _invoice(company, globex, "80.00")
    lines = confirmed_bank_lines(
        company,
        books,
        ("B-1", "1200.00", "Acme Corp", first.number, ""),
        ("B-2", "80.00", "Globex", "", f"Invoice {second.number}"),
    )
    return first, second, lines


def test_an_accountant_reads_the_suggestions_reconciles_and_unreconciles(
    api_as, users, company, books, django_assert_max_num_queries
):
    """Given a confirmed statement of two lines each paying an invoice; When an
    Accountant reads the statement's suggestions, Then each line's top suggestion is its
    invoice (in a fixed number of queries, like the list of lines); When the first line
    is reconciled with the suggested open items, Then the line carries the payment and
    the invoice is paid; When it is unreconciled, Then the invoice is open again."""
    first, second, (line, _) = _setup(company, books)
    client = api_as(users[Role.ACCOUNTANT])
    # When
    with django_assert_max_num_queries(8):
        response = client.get(f"{STATEMENTS}{line.statement_id}/suggestions/")
    # Then
    assert response.status_code == 200
    body = response.json()
    assert [(row["sequence"], row["amount"]) for row in body] == [(1, "1200.00"), (2, "80.00")]
    assert [row["suggestions"][0]["documents"] for row in body] == [
        [first.number],
        [second.number],
    ]
    top = body[0]["suggestions"][0]
    assert top == {
        "party": first.party_id,
        "party_name": "Acme Corp",
        "open_items": [OpenItem.objects.get(invoice=first).pk],
        "documents": [first.number],
        "open_amount": "1200.00",
        "currency": "USD",
        "score": 120,
        "reasons": [
            f"{first.number} named in the reference",
            "Amount 1,200.00 USD is exactly the open amount",
            "Counterparty 'Acme Corp' matches Acme Corp",
        ],
    }
    with django_assert_max_num_queries(8):
        listed = client.get(LINES, {"statement": line.statement_id})
    assert [(row["sequence"], row["payment"]) for row in listed.json()["results"]] == [
        (1, None),
        (2, None),
    ]
    with django_assert_max_num_queries(8):
        one = client.get(f"{LINES}{line.pk}/suggestions/")
    assert one.status_code == 200 and one.json()[0] == top
    # When
    done = client.post(f"{LINES}{line.pk}/reconcile/", {"open_items": top["open_items"]})
    # Then
    assert done.status_code == 200, done.json()
    payment = Payment.objects.get()
    assert (done.json()["id"], done.json()["payment"]) == (line.pk, payment.pk)
    first.refresh_from_db()
    assert first.payment_status == "paid"
    after = client.get(f"{STATEMENTS}{line.statement_id}/suggestions/").json()
    assert [row["sequence"] for row in after] == [2]
    # When
    undone = client.post(f"{LINES}{line.pk}/unreconcile/", {"date": "2026-04-03"})
    # Then
    assert undone.status_code == 200 and undone.json()["payment"] is None
    first.refresh_from_db()
    assert first.payment_status == "not_paid"
    assert JournalEntry.objects.get(reverses=payment.entry).date == dt.date(2026, 4, 3)


def test_a_line_already_matched_is_refused_with_409_and_nothing_changes(
    api_as, users, company, books
):
    """Given a line reconciled with its invoice; When it is reconciled again (a second
    click), Then the answer is 409 with the stable code, and nothing changed; an
    unknown open item or one of the other side is a 400 naming the field."""
    first, second, (line, other) = _setup(company, books)
    client = api_as(users[Role.ACCOUNTANT])
    item = OpenItem.objects.get(invoice=first).pk
    assert client.post(f"{LINES}{line.pk}/reconcile/", {"open_items": [item]}).status_code == 200
    before = bank_matching_state()
    # When
    again = client.post(f"{LINES}{line.pk}/reconcile/", {"open_items": [item]})
    # Then
    assert again.status_code == 409
    assert again.json()["code"] == "bank_line_reconciled"
    assert again.json()["detail"].startswith("The line 1 of STMT-2026-04 is already matched")
    unknown = client.post(f"{LINES}{other.pk}/reconcile/", {"open_items": [999999]})
    assert unknown.status_code == 400
    assert (unknown.json()["code"], unknown.json()["field"]) == (
        "open_items_invalid",
        "open_items",
    )
    assert bank_matching_state() == before


def test_the_wrong_role_is_refused_and_nothing_changes(api_as, users, company, books):
    """Given a confirmed line and its invoice; Then a Sales Rep may neither read the
    suggestions nor reconcile (403), an Auditor reads the suggestions but may not
    reconcile or unreconcile (403), and nothing changed."""
    first, _, (line, _) = _setup(company, books)
    item = OpenItem.objects.get(invoice=first).pk
    before = bank_matching_state()
    rep = api_as(users[Role.SALES_REP])
    assert rep.get(f"{LINES}{line.pk}/suggestions/").status_code == 403
    assert rep.get(f"{STATEMENTS}{line.statement_id}/suggestions/").status_code == 403
    assert rep.post(f"{LINES}{line.pk}/reconcile/", {"open_items": [item]}).status_code == 403
    auditor = api_as(users[Role.AUDITOR])
    assert auditor.get(f"{LINES}{line.pk}/suggestions/").status_code == 200
    refused = auditor.post(f"{LINES}{line.pk}/reconcile/", {"open_items": [item]})
    assert refused.status_code == 403
    assert auditor.post(f"{LINES}{line.pk}/unreconcile/").status_code == 403
    assert bank_matching_state() == before
