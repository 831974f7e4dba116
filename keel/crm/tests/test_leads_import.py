"""Importing leads: a dry run reports each bad row and writes nothing; the real run
creates the good rows, assigned and scored; XLSX works like CSV."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from keel.crm.models import Lead, LeadImport, ScoringRule
from keel.crm.services.lead_import import import_leads, retry_for_real, run_import
from keel.crm.tests.factories import (
    AssignmentRuleFactory,
    IndustryFactory,
    LeadFactory,
    RegionFactory,
    ScoringRuleFactory,
)
from keel.users.roles import Role

pytestmark = pytest.mark.django_db

HEADINGS = [
    "First name",
    "Last name",
    "Company",
    "E-mail",
    "Region",
    "Industry",
    "Employees",
    "Website",
]

# line number in the file -> (column to spoil, bad value, the reason we expect)
BAD = {
    12: ("E-mail", "not-an-address", "email: Enter a valid email address."),
    120: ("E-mail", "a@b", "email: Enter a valid email address."),
    250: (
        "First name",
        "x" * 101,
        "first_name: Ensure this value has at most 100 characters (it has 101).",
    ),
    333: ("Region", "Atlantis", "region: No region is called 'Atlantis'."),
    401: ("Industry", "Alchemy", "industry: No industry is called 'Alchemy'."),
    555: ("Employees", "many", "employees: Enter a whole number."),
    600: ("Employees", "-3", "employees: Enter a whole number of 0 or more."),
    777: ("Website", "not a url", "website: Enter a valid URL."),
    888: (
        "Company",
        "y" * 201,
        "organisation_name: Ensure this value has at most 200 characters (it has 201).",
    ),
    999: (None, None, "email: Give at least an e-mail address or a name."),
}


def lead_file(rows: int = 1000) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    for n in range(rows):
        line = n + 2
        row = {
            "First name": f"First{n}",
            "Last name": f"Last{n}",
            "Company": f"Company {n}",
            "E-mail": f"person{n}@company{n}.example",
            "Region": "North" if n % 2 else "south",
            "Industry": "Software",
            "Employees": str(n),
            "Website": "",
        }
        if line in BAD:
            column, value, _ = BAD[line]
            if column is None:
                row.update({"First name": "", "Last name": "", "Company": "", "E-mail": ""})
            else:
                row[column] = value
        writer.writerow([row[h] for h in HEADINGS])
    return out.getvalue().encode()


@pytest.fixture
def setup(company, users):
    RegionFactory(company=company, name="North")
    RegionFactory(company=company, name="South")
    IndustryFactory(company=company, name="Software")
    ScoringRuleFactory(
        company=company,
        name="Big company",
        field="employees",
        operator=ScoringRule.Operator.GREATER_THAN,
        value="500",
        points=20,
    )
    AssignmentRuleFactory(company=company, name="Reps", members=[users[Role.SALES_REP]])
    return users[Role.MARKETING]


def test_a_dry_run_reports_each_bad_row_with_its_reason_and_imports_nothing(company, setup):
    """Given a file of 1,000 leads of which 10 are bad; When Marketing dry-runs it;
    Then each bad row is reported with its line and reason, and no lead exists;
    When they import it for real; Then the 990 good leads exist, assigned and scored."""
    # When
    record = import_leads(lead_file(), "csv", dry_run=True, by=setup)

    # Then
    assert (record.status, record.total, record.processed, record.error_count) == (
        "done",
        1000,
        1000,
        10,
    )
    assert [(e["row"], e["message"]) for e in record.errors] == [
        (line, reason) for line, (_, _, reason) in sorted(BAD.items())
    ]
    assert record.created_count == 0
    assert Lead.objects.count() == 0

    # When
    real = run_import(retry_for_real(record.pk, by=setup).pk)

    # Then
    assert (real.status, real.created_count, real.error_count) == ("done", 990, 10)
    assert Lead.objects.count() == 990
    assert Lead.objects.filter(source="import", owner__username="sales.rep").count() == 990
    big = Lead.objects.get(email="person701@company701.example")
    assert (big.score, big.region.name, big.industry.name) == (20, "North", "Software")
    assert big.score_breakdown == [
        {"rule": "Big company", "points": 20, "why": "employees 701 > 500"}
    ]
    # 501..999 employees, less the bad lines 555, 600, 777, 888 and 999 among them
    assert Lead.objects.filter(score=20).count() == 494
    assert big.history.count() == 1


def test_possible_duplicates_are_warned_about_not_refused(company, setup):
    LeadFactory(company=company, email="person3@company3.example")
    content = lead_file(5) + b"Again,Person,Company 3,PERSON3@company3.example,,,,\n"

    record = import_leads(content, "csv", dry_run=False, by=setup)

    assert record.created_count == 6
    assert record.warnings == [
        {"row": 5, "message": "Possible duplicate: a lead with the same e-mail exists"},
        {
            "row": 7,
            "message": "Possible duplicate: a lead with the same e-mail exists; "
            "same e-mail as line 5",
        },
    ]


def test_an_xlsx_file_imports_like_a_csv(company, setup):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["first_name", "organisation_name", "email", "employees"])
    sheet.append(["Ada", "Engines Ltd", "ada@engines.example", 900])
    sheet.append(["Bad", "Row Ltd", "nope", 1])
    data = io.BytesIO()
    book.save(data)

    record = import_leads(data.getvalue(), "xlsx", dry_run=False, by=setup)

    assert (record.created_count, record.error_count) == (1, 1)
    lead = Lead.objects.get()
    assert (lead.first_name, lead.employees, lead.score) == ("Ada", 900, 20)


def test_a_file_that_is_not_a_lead_file_fails_with_a_reason(company, setup):
    record = import_leads(b"colour,size\nred,3\n", "csv", dry_run=True, by=setup)

    assert record.status == "failed"
    assert record.failure.startswith("The file has none of the lead columns")
    assert LeadImport.objects.get().status == "failed"


def test_the_api_dry_runs_and_reports_rows(company, setup, api_as):
    upload = io.BytesIO(lead_file(20))
    upload.name = "leads.csv"

    response = api_as(setup).post(
        "/api/v1/leads/import/?dry_run=1", {"file": upload}, format="multipart"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["total"], body["error_count"], body["percent"]) == (
        "done",
        20,
        1,
        100,
    )
    assert body["errors"] == [
        {"row": 12, "field": "email", "message": "email: Enter a valid email address."}
    ]
    assert Lead.objects.count() == 0


def test_a_sales_rep_cannot_import_and_nothing_is_recorded(company, users, api_as):
    upload = io.BytesIO(lead_file(3))
    upload.name = "leads.csv"

    response = api_as(users[Role.SALES_REP]).post(
        "/api/v1/leads/import/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 403
    assert (LeadImport.objects.count(), Lead.objects.count()) == (0, 0)


def test_the_import_page_shows_progress_and_imports_after_the_dry_run(company, setup, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(setup)
    response = client.post(
        "/w/crm/leads/import/",
        {
            "file": SimpleUploadedFile("leads.csv", lead_file(30)),
            "dry_run": "on",
        },
    )
    record = LeadImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/crm/leads/import/{record.pk}/"

    page = client.get(f"/w/crm/leads/import/{record.pk}/")
    assert page.status_code == 200
    assert b"30 of 30 rows checked" in page.content
    assert b"Import the 29 good rows now" in page.content
    fragment = client.get(f"/w/crm/leads/import/{record.pk}/", HTTP_HX_REQUEST="true")
    assert b'id="import-progress"' in fragment.content
    assert b"<html" not in fragment.content

    client.post(f"/w/crm/leads/import/{record.pk}/run/")

    assert Lead.objects.count() == 29


def test_the_import_page_is_closed_to_a_sales_rep(company, users, client):
    client.force_login(users[Role.SALES_REP])

    assert client.get("/w/crm/leads/import/").status_code == 403
