"""The accounting API: every endpoint answers the right roles, refuses the others
and, when it refuses, leaves the books as they were."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.users.roles import Role

from ..models import Account, FiscalYear, Journal, JournalEntry, JournalLine, Tax
from ..selectors import account_for_role
from ..services.posting import post_entry
from .factories import party, sale_lines, tax

D = Decimal
ENTRY = "/api/v1/entries/"


def _payload(books, company, amount="120.00", credit=None):
    return {
        "journal": books["SAL"].pk,
        "date": "2026-03-15",
        "ref": "API sale",
        "lines": [
            {"role": "receivable", "debit": amount, "party": party(company).pk},
            {"account": account_for_role(company, "revenue").pk, "credit": credit or amount},
        ],
    }


def test_an_accountant_posts_an_entry_and_reverses_it(api_as, users, company, books):
    """Given an Accountant, when they POST a balanced entry, then it is posted and
    numbered (201); POST …/reverse/ posts its mirror."""
    client = api_as(users[Role.ACCOUNTANT])
    response = client.post(ENTRY, _payload(books, company), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "INV/2026/00001" and body["state"] == "posted"
    assert [(line["debit"], line["credit"]) for line in body["lines"]] == [
        ("120.00", "0.00"),
        ("0.00", "120.00"),
    ]
    reversal = client.post(
        f"{ENTRY}{body['id']}/reverse/", {"date": "2026-03-20", "reason": "typo"}, format="json"
    )
    assert reversal.status_code == 201
    assert reversal.json()["reverses"] == body["id"]
    again = client.post(
        f"{ENTRY}{body['id']}/reverse/", {"date": "2026-03-20", "reason": "typo"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "entry_already_reversed"


@pytest.mark.parametrize(
    ("change", "code", "field", "detail"),
    [
        ({"credit": "100.00"}, "entry_unbalanced", "lines", "difference 20.00 USD"),
        ({"date": "2031-01-01"}, "no_period", "date", "No fiscal period covers 2031-01-01"),
        ({"lines": []}, "entry_empty", "lines", "at least one line"),
    ],
)
def test_a_refused_entry_answers_4xx_and_writes_nothing(
    api_as, users, company, books, change, code, field, detail
):
    client = api_as(users[Role.ACCOUNTANT])
    payload = _payload(books, company, credit=change.pop("credit", None))
    payload.update(change)
    response = client.post(ENTRY, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert detail in body["detail"]
    assert JournalEntry.objects.count() == 0 and JournalLine.objects.count() == 0


def test_a_locked_period_is_refused_through_the_api(api_as, users, company, books):
    from ..services.chart import update_settings

    update_settings(company, lock_date=dt.date(2026, 3, 31))
    response = api_as(users[Role.ACCOUNTANT]).post(ENTRY, _payload(books, company), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "period_locked"
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.BUYER, Role.AUDITOR, Role.SALES_REP])
def test_only_accountants_post_or_reverse(api_as, users, company, books, role):
    entry = post_entry(company, books["GEN"], dt.date(2026, 3, 1), sale_lines("5.00"))
    client = api_as(users[role])
    assert client.post(ENTRY, _payload(books, company), format="json").status_code == 403
    response = client.post(f"{ENTRY}{entry.pk}/reverse/", {"date": "2026-03-02", "reason": "x"})
    assert response.status_code == 403
    assert (
        client.post("/api/v1/accounts/", {"code": "9", "name": "X", "type": "asset"}).status_code
        == 403
    )
    assert JournalEntry.objects.count() == 1
    assert not Account.objects.filter(code="9").exists()


def test_lists_take_a_fixed_number_of_queries(
    api_as, users, company, books, django_assert_max_num_queries
):
    """Given 30 entries, then the entry list (with lines) and the chart lists take a
    handful of queries."""
    for n in range(30):
        post_entry(company, books["GEN"], dt.date(2026, 3, 1), sale_lines(f"{n + 1}.00"))
    client = api_as(users[Role.ACCOUNTANT])
    with django_assert_max_num_queries(10):
        response = client.get(ENTRY, {"page_size": 50})
    assert response.status_code == 200
    assert response.json()["count"] == 30
    for url in [
        "/api/v1/accounts/",
        "/api/v1/journals/",
        "/api/v1/fiscal-years/",
        "/api/v1/periods/",
        "/api/v1/taxes/",
    ]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200, url


def test_accountant_maintains_accounts_and_taxes(api_as, users, company, books):
    client = api_as(users[Role.ACCOUNTANT])
    created = client.post(
        "/api/v1/accounts/", {"code": "6600", "name": "Software", "type": "expense"}
    )
    assert created.status_code == 201
    duplicate_role = client.post(
        "/api/v1/accounts/", {"code": "6610", "name": "More", "type": "expense", "role": "cogs"}
    )
    assert duplicate_role.status_code == 400 and duplicate_role.json()["field"] == "role"
    assert not Account.objects.filter(code="6610").exists()
    vat = client.post("/api/v1/taxes/", {"name": "VAT 20%", "amount": "20", "use": "sale"})
    assert vat.status_code == 201
    too_much = client.post("/api/v1/taxes/", {"name": "Odd", "amount": "120", "use": "sale"})
    assert too_much.status_code == 400 and Tax.objects.count() == 1
    year = client.post("/api/v1/fiscal-years/", {"year": 2027})
    assert year.status_code == 201 and len(year.json()["periods"]) == 12


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ACCOUNTANT, True),
        (Role.SALES_MANAGER, True),
        (Role.BUYER, True),
        (Role.AUDITOR, True),
        (Role.ADMINISTRATOR, True),
        (Role.SALES_REP, False),
        (Role.WAREHOUSE_CLERK, False),
    ],
)
def test_reports_are_for_accounting_managers_and_auditors(
    api_as, users, company, books, role, allowed
):
    vat = tax(company, "VAT 20%", "20")
    post_entry(
        company,
        books["SAL"],
        dt.date(2026, 3, 1),
        [
            {"role": "receivable", "debit": D("120.00")},
            {"role": "revenue", "credit": D("100.00")},
            {
                "role": "tax_payable",
                "credit": D("20.00"),
                "tax": vat,
                "tax_base_amount": D("-100.00"),
            },
        ],
    )
    client = api_as(users[role])
    dates = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    urls = [
        ("/api/v1/reports/trial-balance/", dates),
        ("/api/v1/reports/profit-and-loss/", dates),
        ("/api/v1/reports/balance-sheet/", {"date_to": "2026-03-31"}),
        ("/api/v1/reports/tax-report/", dates),
        (f"/api/v1/reports/tax-report/{vat.pk}/lines/", dates),
    ]
    for url, params in urls:
        response = client.get(url, params)
        assert response.status_code == (200 if allowed else 403), url
    if allowed:
        assert client.get(urls[1][0], dates).json()["net_profit"] == "100.00"
        assert client.get(urls[3][0], dates).json()["rows"][0]["amount"] == "20.00"
        assert client.get(urls[4][0], dates).json()[0]["credit"] == "20.00"
        bad = client.get(urls[0][0], {"date_from": "2026-04-01", "date_to": "2026-03-01"})
        assert bad.status_code == 400 and bad.json()["field"] == "date_to"


def test_a_taken_account_or_journal_code_is_refused_with_400_not_a_500(
    api_as, users, company, books
):
    """Found by the API fuzzing (it answered 500 with the database's unique error).
    Given the chart with its sales journal SAL and an account 6600
    When an Accountant creates another account 6600, another journal SAL, or renames a
    journal to SAL
    Then each is refused with 400 at the `code` field and nothing is written."""
    client = api_as(users[Role.ACCOUNTANT])
    first = client.post("/api/v1/accounts/", {"code": "6600", "name": "A", "type": "expense"})
    assert first.status_code == 201
    accounts, journals = Account.objects.count(), Journal.objects.count()

    second = client.post("/api/v1/accounts/", {"code": "6600", "name": "B", "type": "expense"})
    journal = client.post(
        "/api/v1/journals/",
        {"code": "SAL", "name": "Sales 2", "kind": "sales", "sequence_prefix": "S2"},
    )
    other = books["PUR"]
    renamed = client.put(
        f"/api/v1/journals/{other.pk}/",
        {
            "code": "SAL",
            "name": other.name,
            "kind": other.kind,
            "sequence_prefix": other.sequence_prefix,
        },
    )

    assert (second.status_code, second.json()["field"]) == (400, "code")
    assert second.json()["detail"] == "Another account already has the code 6600."
    assert (journal.status_code, journal.json()["field"]) == (400, "code")
    assert journal.json()["detail"] == "Another journal already has the code SAL."
    assert (renamed.status_code, renamed.json()["field"]) == (400, "code")
    assert (Account.objects.count(), Journal.objects.count()) == (accounts, journals)
    assert Journal.objects.get(pk=other.pk).code == "PUR"


@pytest.mark.parametrize("year", [0, 1900, 9999, 2**40])
def test_a_fiscal_year_outside_the_calendar_is_refused_with_400(
    api_as, users, company, books, year
):
    """Found by the API fuzzing: year 0 answered 500 (no date in year -1).
    When an Accountant asks for fiscal year `year`; then 400 at `year`, no year made."""
    years = FiscalYear.objects.count()
    response = api_as(users[Role.ACCOUNTANT]).post("/api/v1/fiscal-years/", {"year": year})
    assert (response.status_code, response.json()["field"]) == (400, "year")
    assert FiscalYear.objects.count() == years


def test_the_fiscal_year_service_refuses_a_year_out_of_range(company):
    """The service guards it too (not only the API's serializer)."""
    from keel.core.errors import InvalidInput

    from ..services.chart import ensure_fiscal_year

    with pytest.raises(InvalidInput) as refused:
        ensure_fiscal_year(company, 0)
    assert refused.value.detail == "A fiscal year is named by a year from 1901 to 9998."
    assert not FiscalYear.objects.filter(company=company).exists()
