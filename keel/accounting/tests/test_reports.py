"""Reports read the maintained balances and agree with the lines to the cent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..selectors import balance_differences, balance_sheet, profit_and_loss, trial_balance
from ..selectors.reports import account_sums
from ..services.posting import EntrySpec, Line, post_entries, post_entry

D = Decimal


def _story(company, books):
    """January: 10,000.00 capital paid into the bank; March 20: a 1,500.00 sale on
    credit; April 5: 400.00 rent paid; April 30: 1,000.00 of the sale collected."""
    post_entry(
        company,
        books["GEN"],
        dt.date(2026, 1, 2),
        [
            Line(role="bank", debit=D("10000.00")),
            Line(account=_acc(company, "3000"), credit=D("10000.00")),
        ],
    )
    post_entry(
        company,
        books["SAL"],
        dt.date(2026, 3, 20),
        [Line(role="receivable", debit=D("1500.00")), Line(role="revenue", credit=D("1500.00"))],
    )
    post_entry(
        company,
        books["BNK"],
        dt.date(2026, 4, 5),
        [
            Line(account=_acc(company, "6000"), debit=D("400.00")),
            Line(role="bank", credit=D("400.00")),
        ],
    )
    post_entry(
        company,
        books["BNK"],
        dt.date(2026, 4, 30),
        [Line(role="bank", debit=D("1000.00")), Line(role="receivable", credit=D("1000.00"))],
    )


def _acc(company, code):
    from ..models import Account

    return Account.objects.get(company=company, code=code)


def test_trial_balance_profit_and_loss_and_balance_sheet(
    company, books, django_assert_max_num_queries
):
    """Given the story above, then for 15 March – 30 April the trial balance opens the
    bank at 10,000.00 and closes it at 10,600.00, the P&L shows 1,500.00 − 400.00 =
    1,100.00, and the balance sheet at 30 April balances at 11,100.00 — each report in
    a handful of queries, whatever the number of lines."""
    _story(company, books)
    with django_assert_max_num_queries(7):
        tb = trial_balance(company.pk, dt.date(2026, 3, 15), dt.date(2026, 4, 30))
    rows = {row["code"]: row for row in tb["rows"]}
    assert rows["1000"] == {
        "account_id": rows["1000"]["account_id"],
        "code": "1000",
        "name": "Bank",
        "type": "asset",
        "opening": D("10000.00"),
        "debit": D("1000.00"),
        "credit": D("400.00"),
        "closing": D("10600.00"),
    }
    assert (rows["1100"]["debit"], rows["1100"]["credit"], rows["1100"]["closing"]) == (
        D("1500.00"),
        D("1000.00"),
        D("500.00"),
    )
    assert tb["totals"] == {
        "opening": D("0"),
        "debit": D("2900.00"),
        "credit": D("2900.00"),
        "closing": D("0"),
    }
    with django_assert_max_num_queries(4):
        pnl = profit_and_loss(company.pk, dt.date(2026, 3, 15), dt.date(2026, 4, 30))
    assert [(r["code"], r["amount"]) for r in pnl["income"]] == [("4000", D("1500.00"))]
    assert [(r["code"], r["amount"]) for r in pnl["expenses"]] == [("6000", D("400.00"))]
    assert pnl["net_profit"] == D("1100.00")
    assert profit_and_loss(company.pk, dt.date(2026, 3, 21), dt.date(2026, 4, 4))["net_profit"] == 0
    with django_assert_max_num_queries(4):
        bs = balance_sheet(company.pk, dt.date(2026, 4, 30))
    assert [(r["code"], r["amount"]) for r in bs["assets"]] == [
        ("1000", D("10600.00")),
        ("1100", D("500.00")),
    ]
    assert [(r["name"], r["amount"]) for r in bs["equity"]] == [
        ("Share capital", D("10000.00")),
        ("Current earnings", D("1100.00")),
    ]
    assert bs["total_assets"] == bs["total_liabilities_and_equity"] == D("11100.00")
    assert bs["balanced"] is True


def test_partial_and_whole_periods_give_the_same_sums_as_the_lines(company, books):
    """Any date range (whole months, parts of months, open ends) sums to what the
    lines of that range sum to."""
    _story(company, books)
    from django.db.models import Sum

    from ..models import JournalLine

    for start, end in [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 3, 20), dt.date(2026, 3, 20)),
        (dt.date(2026, 1, 3), dt.date(2026, 4, 29)),
        (dt.date(2026, 2, 1), dt.date(2026, 4, 30)),
    ]:
        expected = {
            row["account_id"]: (row["d"], row["c"])
            for row in JournalLine.objects.filter(date__gte=start, date__lte=end)
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        }
        assert account_sums(company.pk, start, end) == expected, (start, end)


def test_one_hundred_thousand_lines_with_cents_sum_exactly(company, books):
    """Given 100,000 lines of random amounts with cents (0.01 – 9,999.99) posted in
    batches, then the trial balance's debit total equals the exact Decimal sum, on
    SQLite (integer storage) as on PostgreSQL, and the balances match the lines."""
    rng = random.Random(7)
    bank, revenue = _acc(company, "1000"), _acc(company, "4000")
    expected = D(0)
    specs = []
    for n in range(50_000):  # 50,000 entries × 2 lines
        amount = D(rng.randint(1, 999_999)) / 100
        expected += amount
        specs.append(
            EntrySpec(
                journal=books["GEN"],
                date=dt.date(2026, 1 + n % 12, 1 + n % 28),
                lines=[Line(account=bank, debit=amount), Line(account=revenue, credit=amount)],
            )
        )
    for start in range(0, len(specs), 5_000):
        post_entries(company, specs[start : start + 5_000])
    tb = trial_balance(company.pk, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert tb["totals"]["debit"] == tb["totals"]["credit"] == expected
    rows = {row["code"]: row for row in tb["rows"]}
    assert rows["1000"]["closing"] == expected
    # A range with partial periods sums lines and balances together, still exact.
    partial = trial_balance(company.pk, dt.date(2026, 1, 15), dt.date(2026, 12, 14))
    assert partial["totals"]["debit"] == partial["totals"]["credit"]
    assert balance_differences(company.pk) == []
