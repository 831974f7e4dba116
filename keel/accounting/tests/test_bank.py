"""Bank statements: import CSV (saved mapping), CAMT.053 and OFX files, refuse
malformed or repeated ones without writing anything, and confirm a statement so
the bank account follows the bank (the other side waits in suspense)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keel.users.roles import Role

from ..bankformats import BankFileInvalid
from ..bankformats.ofx import parse_ofx
from ..models import BankCsvMapping, BankStatement, BankStatementLine, JournalEntry
from ..selectors import trial_balance
from ..services.bank import confirm_statement
from ..services.bank_import import DuplicateStatement, import_statement
from .bank_files import CAMT, CSV_EU, OFX1, OFX2

D = Decimal
URL = "/api/v1/bank-statements/"


def _counts():
    return (
        BankStatement.objects.count(),
        BankStatementLine.objects.count(),
        JournalEntry.objects.count(),
    )


def _upload(client, books, content: str, fmt: str, **extra):
    upload = SimpleUploadedFile(f"statement.{fmt}", content.encode())
    data = {"journal": books["BNK"].pk, "format": fmt, "file": upload, **extra}
    return client.post(f"{URL}import/", data, format="multipart")


def _closing(company, code):
    tb = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    return next((row["closing"] for row in tb["rows"] if row["code"] == code), D(0))


def test_camt_import_then_confirm_moves_the_bank_and_suspense(api_as, users, company, books):
    """Given a CAMT.053 file with 1,250.50 in from Acme and 125.05 out, when an
    Accountant imports and confirms it, then the statement holds both lines with the
    bank's ids and balances, and the bank account shows 1,125.45 with -1,125.45 in
    suspense, one posted entry per line."""
    client = api_as(users[Role.ACCOUNTANT])
    # When
    response = _upload(client, books, CAMT, "camt053")
    # Then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["balance_start"], body["balance_end"]) == (
        "STMT-2026-03",
        "1000.00",
        "2125.45",
    )
    assert [
        (x["date"], x["amount"], x["counterparty"], x["reference"], x["unique_id"])
        for x in body["lines"]
    ] == [
        ("2026-03-10", "1250.50", "Acme Corp", "", "BANK-0001"),
        ("2026-03-12", "-125.05", "Office Supplies Ltd", "E2E-77", "BANK-0002"),
    ]
    assert body["lines"][0]["label"] == "Invoice INV/2026/00007"
    confirmed = client.post(f"{URL}{body['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert _closing(company, "1000") == D("1125.45")
    assert _closing(company, "1900") == D("-1125.45")
    lines = BankStatementLine.objects.filter(statement_id=body["id"]).select_related("entry")
    assert [line.entry.number for line in lines] == ["BNK/2026/00001", "BNK/2026/00002"]
    again = client.post(f"{URL}{body['id']}/confirm/")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (CAMT.replace("</Document>", ""), "Not well-formed XML"),
        (CAMT.replace("<CdtDbtInd>DBIT</CdtDbtInd>", ""), "Entry 2: <CdtDbtInd>"),
        (CAMT.replace("1250.50", "12x0"), "Entry 1: missing or invalid <Amt>"),
        (CAMT.replace("camt.053", "camt.054"), "Not a CAMT.053 document"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document/>',
            "must not declare a DTD",
        ),
        ("", "The submitted file is empty"),
    ],
)
def test_a_malformed_camt_file_is_refused_and_nothing_is_written(
    api_as, users, company, books, content, detail
):
    """Given a broken CAMT file, when it is imported, then the answer is 400 with a
    clear reason and the database holds no statement, line or entry more."""
    before = _counts()
    response = _upload(api_as(users[Role.ACCOUNTANT]), books, content, "camt053")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ("empty" if not content else "bank_file_invalid")
    assert detail in str(body["detail"])
    assert _counts() == before


def test_the_same_file_twice_is_refused_and_known_lines_are_skipped(company, books):
    """Given an imported CAMT file, importing it again is a 409 (same file); a new
    file repeating one known line imports only the new line."""
    import_statement(company, books["BNK"], CAMT.encode(), "camt053")
    before = _counts()
    with pytest.raises(DuplicateStatement):
        import_statement(company, books["BNK"], CAMT.encode(), "camt053")
    assert _counts() == before
    overlapping = CAMT.replace("STMT-2026-03", "STMT-2026-03b").replace("BANK-0002", "BANK-0003")
    result = import_statement(company, books["BNK"], overlapping.encode(), "camt053")
    assert [line.unique_id for line in result.new_lines] == ["BANK-0003"]
    assert [line.unique_id for line in result.duplicates] == ["BANK-0001"]
    assert result.statement.lines.count() == 1


def test_a_dry_run_previews_without_writing(api_as, users, company, books):
    """Given an OFX 1.x file, a dry run answers the lines it would import and writes
    nothing."""
    before = _counts()
    response = _upload(api_as(users[Role.ACCOUNTANT]), books, OFX1, "ofx", dry_run="true")
    assert response.status_code == 200
    body = response.json()
    assert [(x["date"], x["amount"], x["counterparty"]) for x in body["new_lines"]] == [
        ("2026-04-03", "300.00", "Globex"),
        ("2026-04-05", "-45.10", "Bank"),
    ]
    assert body["balance_end"] == "254.90"
    assert _counts() == before


def test_ofx_2_xml_is_read_like_ofx_1():
    """Given an OFX 2.x (XML) file, its one transaction is read with its FITID."""
    parsed = parse_ofx(OFX2.encode())
    assert [(x.date, x.amount, x.counterparty, x.unique_id) for x in parsed.lines] == [
        (dt.date(2026, 5, 6), D("99.99"), "Initech", "X-9")
    ]
    with pytest.raises(BankFileInvalid):
        parse_ofx(b"<html>not a bank file</html>")


def test_csv_is_read_through_the_mapping_saved_for_the_bank(company, books):
    """Given a German bank's CSV (';', day.month.year, 1.250,50, money in and out in two
    columns) and its mapping saved on the bank journal, when it is imported, then the
    amounts are exact and two identical fee lines stay two lines."""
    BankCsvMapping.objects.create(
        company=company,
        journal=books["BNK"],
        delimiter=";",
        date_column="Buchungstag",
        date_format="%d.%m.%Y",
        amount_column="",
        debit_column="Soll",
        credit_column="Haben",
        reference_column="Verwendungszweck",
        counterparty_column="Empfänger",
        decimal_separator=",",
        thousands_separator=".",
    )
    result = import_statement(company, books["BNK"], CSV_EU.encode(), "csv")
    lines = list(result.statement.lines.order_by("sequence"))
    assert [(x.date, x.amount, x.counterparty, x.reference) for x in lines] == [
        (dt.date(2026, 3, 2), D("1250.50"), "Acme Corp", "RE-7"),
        (dt.date(2026, 3, 5), D("-89.90"), "Stadtwerke", "Strom"),
        (dt.date(2026, 3, 5), D("-89.90"), "Stadtwerke", "Strom"),
    ]
    assert len({x.unique_id for x in lines}) == 3
    confirm_statement(result.statement)
    assert _closing(company, "1000") == D("1070.70")


def test_csv_without_a_mapping_or_with_a_bad_date_is_refused(company, books):
    """Given no mapping, a CSV import is refused; with a mapping, a bad date names the line."""
    with pytest.raises(BankFileInvalid, match="no CSV mapping"):
        import_statement(company, books["BNK"], b"Date,Amount\n2026-01-01,1\n", "csv")
    BankCsvMapping.objects.create(company=company, journal=books["BNK"])
    with pytest.raises(BankFileInvalid, match="Line 3: date '31/01/2026'"):
        import_statement(company, books["BNK"], b"Date,Amount\n2026-01-01,1\n31/01/2026,2\n", "csv")
    assert _counts() == (0, 0, 0)


def test_a_sales_rep_may_not_import_or_confirm(api_as, users, company, books):
    """Given a draft statement, a Sales Rep can neither import (403) nor confirm (403),
    and nothing changes."""
    statement = import_statement(company, books["BNK"], CAMT.encode(), "camt053").statement
    before = _counts()
    client = api_as(users[Role.SALES_REP])
    assert _upload(client, books, OFX1, "ofx").status_code == 403
    assert client.post(f"{URL}{statement.pk}/confirm/").status_code == 403
    assert client.get(URL).status_code == 403
    assert _counts() == before
    statement.refresh_from_db()
    assert statement.status == "draft"


def test_the_statement_list_costs_a_fixed_number_of_queries(
    api_as, users, company, books, django_assert_max_num_queries
):
    """Given three statements, the list answers them in a fixed number of queries."""
    import_statement(company, books["BNK"], CAMT.encode(), "camt053")
    import_statement(company, books["BNK"], OFX1.encode(), "ofx")
    import_statement(company, books["BNK"], OFX2.encode(), "ofx")
    client = api_as(users[Role.ACCOUNTANT])
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    assert [row["line_count"] for row in response.json()["results"]] == [1, 2, 2]
