"""XML in uploads (camt.053 statements, the parts of an .xlsx lead file) that declares a
DTD or entities (billion laughs, external entities reading file:///etc/passwd) is
refused at the file field, in the API (400) and in the workspace, and nothing is
imported; the same files without the declaration import as usual."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keel.accounting.models import BankStatement, BankStatementLine, JournalEntry
from keel.accounting.tests.bank_files import CAMT
from keel.accounting.tests.factories import books as make_books
from keel.core.tests.test_safexml import LAUGHS
from keel.crm.models import Lead, LeadImport
from keel.users.roles import Role

pytestmark = pytest.mark.django_db

XXE = '<!DOCTYPE Document [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>'
CAMT_REFUSED = "CAMT files must not declare a DTD or entities (<!DOCTYPE>, <!ENTITY>)."
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _camt(declaration: str, label: str) -> bytes:
    """The sample statement with `declaration` after the XML declaration and `label` as
    the first entry's text (where an expanded entity would land in Keel)."""
    content = CAMT.replace(XML_DECLARATION, XML_DECLARATION + declaration, 1)
    return content.replace("Invoice INV/2026/00007", label, 1).encode()


CAMT_ATTACKS = {
    "billion-laughs": _camt(LAUGHS, "&lol9;"),
    "external-entity": _camt(XXE, "&passwd;"),
    # past the first 2 KB, which is all the old byte check looked at for a DOCTYPE
    "external-dtd-after-a-comment": _camt(
        "<!--" + "x" * 4096 + '--><!DOCTYPE Document SYSTEM "file:///etc/passwd">', "Paid"
    ),
}


@pytest.fixture
def books(company):
    return make_books(company)


def _bank_counts():
    return (
        BankStatement.objects.count(),
        BankStatementLine.objects.count(),
        JournalEntry.objects.count(),
    )


@pytest.mark.parametrize("content", CAMT_ATTACKS.values(), ids=CAMT_ATTACKS.keys())
def test_the_api_refuses_a_camt_file_declaring_entities_and_imports_nothing(
    users, api_as, books, content
):
    """Given a camt.053 statement carrying a DTD; When an Accountant imports it through
    the API; Then 400 at `file` with the reason, and no statement, line or entry."""
    before = _bank_counts()
    response = api_as(users[Role.ACCOUNTANT]).post(
        "/api/v1/bank-statements/import/",
        {
            "journal": books["BNK"].pk,
            "format": "camt053",
            "file": SimpleUploadedFile("statement.xml", content),
            "dry_run": False,
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "bank_file_invalid",
        "detail": CAMT_REFUSED,
        "field": "file",
    }
    assert _bank_counts() == before


def test_the_workspace_shows_the_refusal_at_the_file_field(users, client, books):
    """Given the external-entity statement; When an Accountant imports it on the
    workspace's import page; Then the page comes back with the reason under the file
    field and nothing is imported."""
    client.force_login(users[Role.ACCOUNTANT])
    before = _bank_counts()
    response = client.post(
        reverse("admin:accounting_bankstatement_import_file"),
        {
            "journal": books["BNK"].pk,
            "format": "camt053",
            "file": SimpleUploadedFile("statement.xml", CAMT_ATTACKS["external-entity"]),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [CAMT_REFUSED]}
    assert _bank_counts() == before


def test_the_same_statement_without_a_dtd_still_imports(users, client, books):
    """Given the sample statement with a comment but no DTD; When it is imported on the
    workspace's page (preview off); Then its two lines are in a new statement."""
    client.force_login(users[Role.ACCOUNTANT])
    content = _camt("<!-- exported by the bank -->", "Invoice INV/2026/00007")
    response = client.post(
        reverse("admin:accounting_bankstatement_import_file"),
        {
            "journal": books["BNK"].pk,
            "format": "camt053",
            "file": SimpleUploadedFile("statement.xml", content),
        },
    )
    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:accounting_bankstatement_change", args=[statement.pk]
    )
    assert list(statement.lines.values_list("amount", "label")) == [
        (Decimal("1250.5000"), "Invoice INV/2026/00007"),
        (Decimal("-125.0500"), ""),
    ]


def _workbook(part: str = "", declaration: str = "", first_name: str = "Ada") -> bytes:
    """A real lead workbook (openpyxl writes its strings inline in the sheet); `part`
    rewritten with `declaration` after its XML declaration, if any, and the cell text
    "Ada" replaced by `first_name`."""
    book = openpyxl.Workbook()
    book.active.append(["First name", "Last name", "Email"])
    book.active.append(["Ada", "King", "ada@example.com"])
    saved = io.BytesIO()
    book.save(saved)
    rewritten = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == part:
                text = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m[0] or "") + declaration,
                              data.decode(), count=1)  # fmt: skip
                data = text.replace("<t>Ada</t>", f"<t>{first_name}</t>").encode()
            target.writestr(item, data)
    return rewritten.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK_ATTACKS = {
    "external-entity-in-the-sheet": (SHEET, XXE, "&passwd;"),
    "billion-laughs-in-the-sheet": (SHEET, LAUGHS, "&lol9;"),
    "dtd-in-the-workbook": ("xl/workbook.xml", '<!DOCTYPE workbook [<!ENTITY a "b">]>', "Ada"),
    "dtd-in-content-types": ("[Content_Types].xml", "<!DOCTYPE Types>", "Ada"),
}


def _workbook_refused(part: str) -> str:
    return (
        f"The workbook's part {part} declares a DTD or entities (<!DOCTYPE>, <!ENTITY>); "
        "Keel refuses them, a spreadsheet never needs one. Save it again from Excel or "
        "LibreOffice, or upload a CSV."
    )


@pytest.mark.parametrize(
    ("part", "declaration", "first_name"), WORKBOOK_ATTACKS.values(), ids=WORKBOOK_ATTACKS.keys()
)
def test_the_api_refuses_a_lead_workbook_declaring_entities(
    users, api_as, part, declaration, first_name
):
    """Given a lead workbook one of whose parts declares a DTD; When a Marketing user
    imports it; Then 400 at `file` naming the part, and no import or lead is recorded."""
    upload = io.BytesIO(_workbook(part, declaration, first_name))
    upload.name = "leads.xlsx"
    response = api_as(users[Role.MARKETING]).post(
        "/api/v1/leads/import/?dry_run=0", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "file_xml_dtd",
        "detail": _workbook_refused(part),
        "field": "file",
    }
    assert (LeadImport.objects.count(), Lead.objects.count()) == (0, 0)


def test_the_lead_import_page_shows_the_refusal_at_the_file_field(users, client):
    client.force_login(users[Role.MARKETING])
    response = client.post(
        "/w/crm/leads/import/",
        {"file": SimpleUploadedFile("leads.xlsx", _workbook(SHEET, XXE, "&passwd;"))},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [_workbook_refused(SHEET)]}
    assert (LeadImport.objects.count(), Lead.objects.count()) == (0, 0)


def test_the_same_workbook_without_a_dtd_still_imports(users, api_as):
    upload = io.BytesIO(_workbook())
    upload.name = "leads.xlsx"
    response = api_as(users[Role.MARKETING]).post(
        "/api/v1/leads/import/?dry_run=0", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert list(Lead.objects.values_list("first_name", "last_name", "email")) == [
        ("Ada", "King", "ada@example.com")
    ]
