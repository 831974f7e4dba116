"""The bank statement pages: preview, import, confirm, reconcile a line in one click;
refused to a Sales Rep (and reconciling to an Auditor)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.users.roles import Role

from ..models import BankStatement, JournalEntry
from .bank_files import CAMT
from .factories import bank_matching_state, confirmed_bank_lines, invoice, party

IMPORT = "/accounting/bankstatement/import/"


def _post(client, books, preview: bool):
    data = {
        "journal": books["BNK"].pk,
        "format": "camt053",
        "file": SimpleUploadedFile("march.xml", CAMT.encode()),
    }
    if preview:
        data["preview"] = "on"
    return client.post(IMPORT, data)


def test_an_accountant_previews_imports_and_confirms(client, users, company, books):
    """Given an Accountant, the preview lists the two lines and writes nothing; the
    import creates the draft; "Confirm and post" asks first, then posts two entries."""
    client.force_login(users[Role.ACCOUNTANT])
    assert client.get(IMPORT).status_code == 200
    page = _post(client, books, preview=True)
    assert page.status_code == 200 and "Office Supplies Ltd" in page.content.decode()
    assert BankStatement.objects.count() == 0
    done = _post(client, books, preview=False)
    statement = BankStatement.objects.get()
    assert done.status_code == 302 and done.url.endswith(f"/{statement.pk}/change/")
    assert client.get(done.url).status_code == 200
    confirm = f"/accounting/bankstatement/{statement.pk}/confirm/"
    # A GET shows the confirmation form and posts nothing (a prefetch must not post).
    assert client.get(confirm).status_code == 200
    statement.refresh_from_db()
    assert statement.status == "draft" and JournalEntry.objects.count() == 0
    assert client.post(confirm).status_code == 302
    statement.refresh_from_db()
    assert statement.status == "confirmed" and JournalEntry.objects.count() == 2
    # A statement of another company (or none) is refused, not a server error.
    assert client.post("/accounting/bankstatement/999999/confirm/").status_code == 403
    assert client.get("/accounting/bankstatement/").status_code == 200


def test_a_sales_rep_cannot_open_the_import(client, users, company, books):
    """Given a Sales Rep, the import page is refused and nothing is imported."""
    client.force_login(users[Role.SALES_REP])
    assert _post(client, books, preview=False).status_code == 403
    assert BankStatement.objects.count() == 0


def _matched_statement(company, books):
    """Acme's invoice of 1,200.00 and a confirmed line of 1,200.00 naming it."""
    document = invoice(
        company,
        party(company, "Acme Corp"),
        [{"description": "Consulting", "quantity": 1, "unit_price": "1200.00"}],
        date=dt.date(2026, 3, 10),
    )
    (line,) = confirmed_bank_lines(
        company, books, ("B-1", "1200.00", "Acme Corp", document.number, "")
    )
    return document, line


def test_an_accountant_reconciles_a_line_in_one_click(client, users, company, books):
    """Given a confirmed line naming Acme's invoice; When an Accountant opens the
    statement, Then the line shows the invoice as its suggestion with the reasons and a
    Reconcile button; When it is clicked (POST), Then the line is matched, the invoice
    paid and the page says so; a second click is refused with a message and changes
    nothing; a GET changes nothing either."""
    document, line = _matched_statement(company, books)
    client.force_login(users[Role.ACCOUNTANT])
    page_url = f"/accounting/bankstatement/{line.statement_id}/change/"
    # When
    page = client.get(page_url).content.decode()
    # Then
    assert f"{document.number} named in the reference" in page
    assert "Amount 1,200.00 USD is exactly the open amount" in page
    assert ">Reconcile</button>" in page
    item = document.open_items.get().pk
    url = f"/accounting/bankstatement/{line.statement_id}/lines/{line.pk}/reconcile/"
    assert client.get(url).status_code == 405
    # When
    done = client.post(url, {"open_items": [item]}, follow=True)
    # Then
    text = done.content.decode()
    line.refresh_from_db()
    document.refresh_from_db()
    assert document.payment_status == "paid" and line.payment_id is not None
    assert f"Line 1 matched: payment {line.payment.number} of 1,200.00 USD from Acme Corp" in text
    assert f"Matched: payment {line.payment.number} (Acme Corp)" in text
    before = bank_matching_state()
    again = client.post(url, {"open_items": [item]}, follow=True)
    assert "is already matched with payment" in again.content.decode()
    assert bank_matching_state() == before


def test_only_a_role_with_reconcile_permission_may_click(client, users, company, books):
    """Given a confirmed line and its invoice; Then an Auditor reads the suggestions
    without a Reconcile button and is refused (403) when posting, a Sales Rep too, and
    nothing changes."""
    document, line = _matched_statement(company, books)
    url = f"/accounting/bankstatement/{line.statement_id}/lines/{line.pk}/reconcile/"
    before = bank_matching_state()
    client.force_login(users[Role.AUDITOR])
    page = client.get(f"/accounting/bankstatement/{line.statement_id}/change/").content.decode()
    assert f"{document.number} named in the reference" in page
    assert ">Reconcile</button>" not in page
    assert client.post(url, {"open_items": [document.open_items.get().pk]}).status_code == 403
    client.force_login(users[Role.SALES_REP])
    assert client.post(url, {"open_items": [document.open_items.get().pk]}).status_code == 403
    assert bank_matching_state() == before


def test_the_statement_page_costs_the_same_queries_for_2_or_12_lines(client, users, company, books):
    """Given a statement of 2 lines and one of 12, each line naming its own invoice;
    When an Accountant opens each, Then both pages cost the same number of queries
    (suggestions are computed for the whole statement at once)."""
    acme = party(company, "Acme Corp")

    def statement(size: int, name: str) -> int:
        documents = [
            invoice(company, acme, [{"description": "Work", "quantity": 1, "unit_price": "9.00"}])
            for _ in range(size)
        ]
        lines = confirmed_bank_lines(
            company,
            books,
            *[(f"{name}-{n}", "9.00", "Acme", d.number, "") for n, d in enumerate(documents)],
            name=name,
        )
        return lines[0].statement_id

    small, large = statement(2, "S-2"), statement(12, "S-12")
    client.force_login(users[Role.ACCOUNTANT])
    counts = []
    for pk in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/accounting/bankstatement/{pk}/change/")
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
