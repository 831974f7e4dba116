"""Payment terms split a total into exact instalments with exact due dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.core.errors import InvalidInput

from ..models import PaymentTerm
from ..services.payment_terms import Instalment, instalments, save_payment_term

D = Decimal


@pytest.fixture
def term_30_70(company):
    return save_payment_term(
        company,
        "30% now, 70% at 30 days end of month",
        [{"percent": "30"}, {"percent": "70", "days": 30, "end_of_month": True}],
    )


def test_30_70_term_gives_exact_dates_and_amounts(term_30_70):
    """Given 30% now and 70% at 30 days end of month, when an invoice of 1,000.01 is
    dated 15 Jan 2026, then 300.00 is due that day and 700.01 on 28 Feb 2026 (15 Jan
    + 30 days = 14 Feb, moved to the month's end); the last takes the rounding."""
    result = instalments(term_30_70, D("1000.01"), dt.date(2026, 1, 15), "USD")
    assert result == [
        Instalment(dt.date(2026, 1, 15), D("300.00")),
        Instalment(dt.date(2026, 2, 28), D("700.01")),
    ]
    assert sum(i.amount for i in result) == D("1000.01")


def test_thirds_give_the_remainder_to_the_last_instalment(company):
    term = save_payment_term(
        company,
        "Thirds",
        [
            {"percent": "33.3333", "days": 0},
            {"percent": "33.3333", "days": 30},
            {"percent": "33.3334", "days": 60},
        ],
    )
    result = instalments(term, D("100.00"), dt.date(2026, 12, 15), "USD")
    assert [i.amount for i in result] == [D("33.33"), D("33.33"), D("33.34")]
    assert [i.due_date for i in result] == [
        dt.date(2026, 12, 15),
        dt.date(2027, 1, 14),
        dt.date(2027, 2, 13),
    ]


def test_no_term_means_due_on_the_invoice_date():
    assert instalments(None, D("5"), dt.date(2026, 3, 1), "JPY") == [
        Instalment(dt.date(2026, 3, 1), D("5"))
    ]


def test_shares_that_do_not_add_up_to_100_are_refused(company):
    with pytest.raises(InvalidInput, match="add up to 90%"):
        save_payment_term(company, "Bad", [{"percent": "30"}, {"percent": "60"}])
    assert PaymentTerm.objects.count() == 0
