"""Every upload Keel takes (lead imports, vCards, bank statements, the chart of
accounts) refuses a file whose content is not what it expects, or that is over the size
limit, with a clear error at the file field, and records nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keel.accounting.models import Account, BankStatement
from keel.accounting.tests.bank_files import CAMT, OFX1
from keel.accounting.tests.factories import books as make_books
from keel.crm.models import Lead, LeadImport
from keel.parties.models import Party
from keel.users.roles import Role

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200


@pytest.fixture
def books(company):
    return make_books(company)


def _file(name: str, content: bytes):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _refused(response, code: str):
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, "file")


@pytest.mark.parametrize(
    ("name", "content"),
    [("leads.csv", EXE), ("leads.csv", PNG), ("leads.xlsx", b"First name,Last name\nA,B\n")],
)
def test_a_lead_import_of_another_kind_of_file_is_refused(users, api_as, name, content):
    response = api_as(users[Role.MARKETING]).post(
        "/api/v1/leads/import/?dry_run=0", {"file": _file(name, content)}, format="multipart"
    )
    _refused(response, "file_type")
    assert (LeadImport.objects.count(), Lead.objects.count()) == (0, 0)


def test_a_lead_import_over_the_size_limit_is_refused_before_reading(users, api_as, settings):
    settings.KEEL_UPLOAD_MAX_MB = 1
    big = b"First name,Last name\n" + b"Ada,King\n" * 120_000  # about 1.1 MB
    response = api_as(users[Role.MARKETING]).post(
        "/api/v1/leads/import/", {"file": _file("leads.csv", big)}, format="multipart"
    )
    _refused(response, "file_too_large")
    assert response.json()["detail"] == "The file is larger than 1 MB."
    assert LeadImport.objects.count() == 0


@pytest.mark.parametrize("content", [EXE, b"FN:Ada King\nEMAIL:ada@example.com\n"])
def test_a_vcard_import_of_another_kind_of_file_is_refused(users, api_as, content):
    response = api_as(users[Role.SALES_REP]).post(
        "/api/v1/parties/import-vcard/",
        {"file": _file("contacts.vcf", content)},
        format="multipart",
    )
    _refused(response, "file_type")
    assert Party.objects.count() == 0


def test_a_vcard_import_over_its_2_mb_limit_is_refused(users, api_as):
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n"
    big = card * (2 * 1024 * 1024 // len(card) + 1)
    response = api_as(users[Role.SALES_REP]).post(
        "/api/v1/parties/import-vcard/", {"file": _file("all.vcf", big)}, format="multipart"
    )
    _refused(response, "file_too_large")
    assert response.json()["detail"] == "The file is larger than 2 MB."


@pytest.mark.parametrize(
    ("fmt", "content"),
    [("camt053", OFX1.encode()), ("ofx", CAMT.encode()), ("ofx", PNG), ("camt053", EXE)],
)
def test_a_bank_statement_of_another_kind_is_refused(users, api_as, books, fmt, content):
    response = api_as(users[Role.ACCOUNTANT]).post(
        "/api/v1/bank-statements/import/",
        {"journal": books["BNK"].pk, "format": fmt, "file": _file(f"statement.{fmt}", content)},
        format="multipart",
    )
    _refused(response, "file_type")
    assert BankStatement.objects.count() == 0


def test_a_bank_statement_over_the_limit_is_refused(users, api_as, books, settings):
    settings.KEEL_UPLOAD_MAX_MB = 1
    padded = CAMT.replace("<BkToCstmrStmt>", "<BkToCstmrStmt>" + " " * 1024 * 1024)
    response = api_as(users[Role.ACCOUNTANT]).post(
        "/api/v1/bank-statements/import/",
        {"journal": books["BNK"].pk, "format": "camt053", "file": _file("s.xml", padded.encode())},
        format="multipart",
    )
    _refused(response, "file_too_large")
    assert BankStatement.objects.count() == 0


def test_a_chart_import_of_a_binary_file_shows_the_error_and_creates_nothing(users, company, books):
    client = Client()
    client.force_login(users[Role.ACCOUNTANT])
    accounts = Account.objects.count()
    response = client.post(
        reverse("admin:accounting_account_import_chart"),
        {"file": SimpleUploadedFile("chart.csv", EXE)},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("The file is not a CSV text file") for m in shown), shown
    assert Account.objects.count() == accounts


def test_a_chart_import_that_is_not_utf8_shows_the_error_instead_of_a_500(users, company, books):
    """Found with the upload checks: a Latin-1 CSV made the chart import page fail (500)."""
    client = Client()
    client.force_login(users[Role.ACCOUNTANT])
    latin1 = "code,name,type\n6600,Logiciels Société,expense\n".encode("latin-1")
    response = client.post(
        reverse("admin:accounting_account_import_chart"),
        {"file": SimpleUploadedFile("chart.csv", latin1)},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert "The file is not UTF-8 text; save the CSV as UTF-8." in shown
    assert not Account.objects.filter(code="6600").exists()
