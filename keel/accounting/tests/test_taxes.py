"""Tax computation (pure, exact) and the tax report from posted tax lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..models import Tax
from ..selectors import tax_report, tax_report_lines
from ..services.posting import Line, post_entry
from ..services.taxes import tax_entry_lines
from ..taxes import PER_DOCUMENT, PER_LINE, TaxableLine, TaxSpec, compute_taxes
from .factories import party, tax

D = Decimal
VAT20 = TaxSpec("VAT 20%", D("20"))
VAT55 = TaxSpec("VAT 5.5%", D("5.5"))
VAT20_INCL = TaxSpec("VAT 20% incl.", D("20"), price_include=True)
ECO = TaxSpec("Eco fee", D("0.50"), kind="fixed")


def test_two_rates_excluded_per_line():
    """An invoice of 100.00 at 20% and 30.00 at 5.5%: taxes 20.00 and 1.65,
    untaxed 130.00, total 151.65."""
    result = compute_taxes(
        [TaxableLine("100.00", taxes=[VAT20]), TaxableLine("30.00", taxes=[VAT55])],
        rounding=PER_LINE,
    )
    assert [(t.tax.name, t.base, t.amount) for t in result.totals] == [
        ("VAT 20%", D("100.00"), D("20.00")),
        ("VAT 5.5%", D("30.00"), D("1.65")),
    ]
    assert (result.untaxed, result.tax, result.total) == (D("130.00"), D("21.65"), D("151.65"))


def test_price_included_takes_the_tax_out_of_the_amount():
    """A price of 120.00 including 20% is 100.00 + 20.00; 10.00 incl. is 8.33 + 1.67."""
    result = compute_taxes(["120.00", "10.00"], [VAT20_INCL], rounding=PER_LINE)
    assert [(line.base, line.taxes[0][1], line.total) for line in result.lines] == [
        (D("100.00"), D("20.00"), D("120.00")),
        (D("8.33"), D("1.67"), D("10.00")),
    ]
    assert (result.untaxed, result.tax, result.total) == (D("108.33"), D("21.67"), D("130.00"))


def test_per_line_and_per_document_rounding_differ_by_the_rounding_of_each_line():
    """Three lines of 1.05 at 5.5%: each line's tax is 0.05775. Rounded per line that is
    0.06 × 3 = 0.18; rounded once per document 0.17325 -> 0.17."""
    lines = ["1.05", "1.05", "1.05"]
    per_line = compute_taxes(lines, [VAT55], rounding=PER_LINE)
    per_document = compute_taxes(lines, [VAT55], rounding=PER_DOCUMENT)
    assert (per_line.tax, per_line.total) == (D("0.18"), D("3.33"))
    assert (per_document.tax, per_document.total) == (D("0.17"), D("3.32"))


def test_per_document_rounding_of_an_included_tax_keeps_the_total_entered():
    """Three prices of 0.10 including 20%: per line each tax is 0.02 (0.0167 rounded),
    base 0.08 each, tax 0.06; per document the tax is round(0.05) = 0.05 and the
    base absorbs the difference (0.25), so both totals stay 0.30."""
    per_line = compute_taxes(["0.10"] * 3, [VAT20_INCL], rounding=PER_LINE)
    per_document = compute_taxes(["0.10"] * 3, [VAT20_INCL], rounding=PER_DOCUMENT)
    assert (per_line.untaxed, per_line.tax, per_line.total) == (D("0.24"), D("0.06"), D("0.30"))
    assert (per_document.untaxed, per_document.tax, per_document.total) == (
        D("0.25"),
        D("0.05"),
        D("0.30"),
    )


def test_fixed_tax_per_unit_and_a_group_of_taxes():
    """4 units for 40.00 with a 0.50 eco fee per unit and 20% VAT: fee 2.00, VAT 8.00."""
    result = compute_taxes([TaxableLine("40.00", quantity=4)], [ECO, VAT20])
    assert [(t.tax.name, t.amount) for t in result.totals] == [
        ("Eco fee", D("2.00")),
        ("VAT 20%", D("8.00")),
    ]
    assert result.total == D("50.00")


def test_the_tax_report_sums_posted_tax_lines_per_tax_with_drill_down(company, books):
    """Given 20% and 5.5% sales taxes and a 20% purchase tax, when a sale of 100.00 +
    30.00 and a purchase of 50.00 are posted with their tax lines, then the report for
    the period shows each tax's base and amount, the net due and the lines behind each."""
    vat20 = tax(company, "VAT 20%", "20")
    vat55 = tax(company, "VAT 5.5%", "5.5")
    input20 = tax(company, "VAT 20%", "20", use=Tax.Use.PURCHASE, account_role="tax_receivable")
    acme = party(company)
    day = dt.date(2026, 2, 10)
    sale = compute_taxes(
        [TaxableLine("100.00", taxes=[vat20]), TaxableLine("30.00", taxes=[vat55])]
    )
    post_entry(
        company,
        books["SAL"],
        day,
        [
            Line(role="receivable", debit=sale.total, party=acme),
            Line(role="revenue", credit=sale.untaxed),
        ]
        + tax_entry_lines(sale, party=acme),
    )
    bill = compute_taxes(["50.00"], [input20])
    post_entry(
        company,
        books["PUR"],
        day,
        [Line(role="expense", debit=bill.untaxed), Line(role="payable", credit=bill.total)]
        + tax_entry_lines(bill),
    )
    report = tax_report(company.pk, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert [(r["name"], r["use"], r["base"], r["amount"], r["lines"]) for r in report["rows"]] == [
        ("VAT 20%", "sale", D("100.00"), D("20.00"), 1),
        ("VAT 5.5%", "sale", D("30.00"), D("1.65"), 1),
        ("VAT 20%", "purchase", D("50.00"), D("10.00"), 1),
    ]
    assert (report["collected"], report["deductible"], report["net_due"]) == (
        D("21.65"),
        D("10.00"),
        D("11.65"),
    )
    drill = list(tax_report_lines(company.pk, vat20.pk, dt.date(2026, 2, 1), dt.date(2026, 2, 28)))
    assert [(line.entry.number, line.credit, line.tax_base_amount) for line in drill] == [
        ("INV/2026/00001", D("20.00"), D("-100.00"))
    ]
    march = tax_report(company.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert march["rows"] == [] and march["net_due"] == D("0")
