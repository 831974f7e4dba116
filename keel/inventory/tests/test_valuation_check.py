"""The stock valuation report and `keel check-stock-valuation`: the valuation equals
the stock account's balance, and a hand-posted entry on the stock account shows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from keel.accounting.services.posting import Line, post_entry

from ..selectors import check_valuation, stock_valuation

pytestmark = pytest.mark.django_db
D = Decimal
MAY_4, MAY_5, MAY_6 = (dt.date(2026, 5, day) for day in (4, 5, 6))


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check-stock-valuation", *args, stdout=out, stderr=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_the_report_values_each_product_and_the_check_agrees_with_the_books(company, stocked):
    """Given the stock above; When the valuation report is read and the check runs;
    Then the bearing is worth 36.00 (3 left of the 12.00 layer), the gear 10.00, the
    total 46.00 equals the stock account, and the check exits 0."""
    rows = stock_valuation(company.pk)
    assert [(r.sku, r.costing_method, r.quantity, r.value, r.unit_cost) for r in rows] == [
        ("BRG", "fifo", D(3), D("36.00"), D("12.0000")),
        ("GEAR", "average", D(4), D("10.00"), D("2.5000")),
    ]
    check = check_valuation(company.pk)
    assert (check.valuation, check.stock_account, check.difference) == (
        D("46.00"),
        D("46.00"),
        D(0),
    )
    code, output = run("--company", str(company.pk))
    assert code == 0
    assert output == f"{company.name}: stock valuation 46.00 USD equals the stock account.\n"


def test_a_hand_posted_entry_on_the_stock_account_is_reported_to_the_cent(company, stocked):
    """Given the stock above (46.00); When someone posts Dr stock 7.25 / Cr suspense
    by hand in the general journal; Then the check lists the stock account at 53.25,
    a difference of -7.25, and exits 1."""
    post_entry(
        company,
        stocked["GEN"],
        MAY_6,
        [Line(role="stock", debit=D("7.25")), Line(role="suspense", credit=D("7.25"))],
        ref="Hand-made correction",
    )
    code, output = run("--company", str(company.pk))
    assert code == 1
    assert (
        f"DIFF {company.name}: stock valuation 46.00 USD, stock account 53.25 USD, "
        "difference -7.25 USD\n"
    ) in output
    assert "differs from the books in 1 company" in output
