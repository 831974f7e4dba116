"""An exported text cell a spreadsheet would run as a formula is quoted; numbers and
plain text are exported as they are."""

from decimal import Decimal

import pytest

from keel.core.export_formats import quote_formula


@pytest.mark.parametrize(
    ("cell", "exported"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("-12.50", "-12.50"),  # a credit is a number, not a formula
        (Decimal("-12.50"), Decimal("-12.50")),
        ("Acme Corp", "Acme Corp"),
        (None, None),
    ],
)
def test_a_formula_cell_is_quoted_and_a_number_is_not(cell, exported):
    assert quote_formula(cell) == exported
