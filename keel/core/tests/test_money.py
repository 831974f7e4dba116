"""Money: Decimal only, per-currency precision, half-up rounding."""

from decimal import Decimal

import pytest

from keel.core.money import allocate, amount_text, format_money, round_money


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.675", "USD", Decimal("2.68")),
        ("2.665", "EUR", Decimal("2.67")),
        ("-2.675", "USD", Decimal("-2.68")),
        ("1.5", "JPY", Decimal("2")),
        ("1.2345", "KWD", Decimal("1.235")),
        (Decimal("0.005"), "usd", Decimal("0.01")),
    ],
)
def test_round_money_uses_the_currency_precision_and_half_up(amount, currency, expected):
    rounded = round_money(amount, currency)
    assert rounded == expected
    assert rounded.as_tuple().exponent == expected.as_tuple().exponent


def test_floats_are_refused():
    with pytest.raises(TypeError, match="float"):
        round_money(0.1, "USD")


def test_format_money_for_messages():
    assert format_money(Decimal("1250"), "USD") == "1,250.00 USD"
    assert format_money(Decimal("1250.4"), "JPY") == "1,250 JPY"


def test_format_money_with_the_symbol_a_customer_reads():
    assert format_money(Decimal("1250"), "USD", symbol=True) == "$1,250.00"
    assert format_money(Decimal("-3.456"), "EUR", symbol=True) == "-€3.46"
    assert format_money(Decimal("1250"), "CHF", symbol=True) == "1,250.00 CHF"


def test_amount_text_carries_the_currency_precision_not_the_storage_places():
    assert amount_text(Decimal("275.0000"), "USD") == "275.00"
    assert amount_text(Decimal("1250.4000"), "JPY") == "1250"
    assert amount_text(Decimal("-0.0050"), "EUR") == "-0.01"


def test_sum_of_many_rounded_lines_is_exact():
    lines = [round_money(Decimal("0.10") * 3 / 3, "USD") for _ in range(100_000)]
    assert sum(lines, Decimal(0)) == Decimal("10000.00")


@pytest.mark.parametrize(
    ("amount", "weights", "currency", "expected"),
    [
        ("100.00", ["1", "1", "1"], "USD", ["33.34", "33.33", "33.33"]),
        ("100.00", ["1", "2"], "USD", ["33.33", "66.67"]),
        ("0.05", ["1", "1", "1"], "USD", ["0.02", "0.02", "0.01"]),
        ("10", ["3", "0", "4"], "JPY", ["4", "0", "6"]),
    ],
)
def test_allocate_splits_by_largest_remainder_and_adds_up(amount, weights, currency, expected):
    """Given an amount and weights; When it is allocated; Then each share is rounded down
    and the units left go to the largest remainders (the first of equals), adding up."""
    shares = allocate(Decimal(amount), [Decimal(w) for w in weights], currency)
    assert shares == [Decimal(e) for e in expected]
    assert sum(shares) == Decimal(amount)


def test_allocate_refuses_weights_that_add_up_to_nothing():
    with pytest.raises(ValueError, match="positive total"):
        allocate(Decimal("1.00"), [Decimal(0), Decimal(0)], "USD")
