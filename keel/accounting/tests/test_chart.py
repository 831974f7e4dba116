"""Chart of accounts, roles, journals, fiscal years and periods."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from keel.core.tests.factories import CompanyFactory

from ..errors import ChartImportError, RoleNotConfigured
from ..models import Account, FiscalYear, Journal, Period
from ..selectors import account_for_role
from ..services.chart import ensure_fiscal_year, import_chart


def test_the_generic_chart_maps_every_role_other_domains_post_to(company, books):
    """Given a company set up with the generic chart, then each role resolves to one
    account, receivable and payable keep balances per party, and the five journals exist."""
    assert account_for_role(company, "receivable").code == "1100"
    assert account_for_role(company, "cogs").code == "5000"
    assert account_for_role(company, "stock_interim_received").code == "1210"
    assert account_for_role(company, "retained_earnings").code == "3100"
    assert account_for_role(company, "customer_down_payments").code == "2300"
    assert set(
        Account.objects.filter(company=company, party_balances=True).values_list("code", flat=True)
    ) == {
        "1100",
        "2000",
    }
    assert sorted(books) == ["BNK", "CSH", "GEN", "PUR", "SAL"]
    assert books["BNK"].default_account.code == "1000"


def test_a_fiscal_year_has_twelve_monthly_periods_from_the_start_month(db):
    """A company whose year starts in April: FY 2027 runs 1 April 2026 – 31 March 2027."""
    company = CompanyFactory(name="April Co", fiscal_year_start_month=4)
    year = ensure_fiscal_year(company, 2027)
    assert (year.start, year.end) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    periods = list(Period.objects.filter(fiscal_year=year).order_by("number"))
    assert len(periods) == 12
    assert (periods[0].start, periods[0].end) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert (periods[10].start, periods[10].end) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    assert ensure_fiscal_year(company, 2027) == year
    assert FiscalYear.objects.filter(company=company).count() == 1


def test_importing_a_chart_creates_updates_and_moves_roles(company, books):
    """Given the generic chart, when a CSV renames 4000, adds 4010 and gives it the
    revenue role, then the role moves and nothing else changes."""
    result = import_chart(
        company,
        "code,name,type,role\n4000,Product sales,income,\n4010,Online sales,income,revenue\n",
    )
    assert result == {"created": 1, "updated": 1}
    assert account_for_role(company, "revenue").code == "4010"
    assert Account.objects.get(company=company, code="4000").name == "Product sales"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name\n1,A\n", "lacks the column(s) type"),
        ("code,name,type\n1,A,wealth\n", "Line 2: type 'wealth' is not one of"),
        ("code,name,type,role\n1,A,asset,treasure\n", "Line 2: role 'treasure' is unknown"),
        ("code,name,type\n1,A,asset\n1,B,asset\n", "Line 3: account 1 appears twice"),
        ("code,name,type,role\n1,A,asset,bank\n2,B,asset,bank\n", "role 'bank' is given to two"),
        ("code,name,type\n", "no accounts"),
    ],
)
def test_a_faulty_chart_file_is_refused_whole(company, books, text, message):
    before = list(Account.objects.values_list("code", "name", "role").order_by("code"))
    with pytest.raises(ChartImportError) as refused:
        import_chart(company, text)
    assert message in refused.value.detail
    assert list(Account.objects.values_list("code", "name", "role").order_by("code")) == before


def test_import_chart_command_and_a_missing_role(company, tmp_path):
    """`keel import-chart FILE --company ID` loads a chart; a role it lacks is refused by name."""
    path = tmp_path / "chart.csv"
    path.write_text("code,name,type,role\n100,Bank,asset,bank\n400,Sales,income,revenue\n")
    out = io.StringIO()
    call_command("import-chart", str(path), company=company.pk, stdout=out)
    assert "2 created, 0 updated" in out.getvalue()
    assert account_for_role(company, "bank").code == "100"
    with pytest.raises(RoleNotConfigured, match="No active account has the role 'Receivable'"):
        account_for_role(company, "receivable")
    assert not Journal.objects.filter(company=company).exists()
