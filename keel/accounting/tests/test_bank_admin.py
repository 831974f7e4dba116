"""The bank statement pages: preview, import, confirm; refused to a Sales Rep."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from keel.users.roles import Role

from ..models import BankStatement, JournalEntry
from .bank_files import CAMT

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
    import creates the draft; "Confirm and post" posts two entries."""
    client.force_login(users[Role.ACCOUNTANT])
    assert client.get(IMPORT).status_code == 200
    page = _post(client, books, preview=True)
    assert page.status_code == 200 and "Office Supplies Ltd" in page.content.decode()
    assert BankStatement.objects.count() == 0
    done = _post(client, books, preview=False)
    statement = BankStatement.objects.get()
    assert done.status_code == 302 and done.url.endswith(f"/{statement.pk}/change/")
    assert client.get(done.url).status_code == 200
    client.get(f"/accounting/bankstatement/{statement.pk}/confirm/")
    statement.refresh_from_db()
    assert statement.status == "confirmed" and JournalEntry.objects.count() == 2
    assert client.get("/accounting/bankstatement/").status_code == 200


def test_a_sales_rep_cannot_open_the_import(client, users, company, books):
    """Given a Sales Rep, the import page is refused and nothing is imported."""
    client.force_login(users[Role.SALES_REP])
    assert _post(client, books, preview=False).status_code == 403
    assert BankStatement.objects.count() == 0
