"""Tax computation: a pure function from line amounts and taxes to exact results.

Worked examples (USD, 2 decimals), see docs/accounting.md and tests/test_taxes.py:

* 100.00 with 20% excluded: base 100.00, tax 20.00, total 120.00.
* 120.00 with 20% included: base 100.00, tax 20.00, total 120.00.
* Three lines of 1.05 with 5.5% excluded: per line each tax is 0.05775 -> 0.06,
  total tax 0.18; per document the tax is 0.17325 -> 0.17.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from keel.core.money import round_money, to_decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PER_LINE = "per_line"
PER_DOCUMENT = "per_document"


class TaxLike(Protocol):
    """What the computation needs of a tax (a `models.Tax` or a `TaxSpec`)."""

    kind: str  # "percent" or "fixed"
    amount: Decimal
    price_include: bool


@dataclass(frozen=True)
class TaxSpec:
    """A tax described without the database (tests, previews)."""

    name: str
    amount: Decimal
    kind: str = "percent"
    price_include: bool = False


@dataclass
class TaxableLine:
    """A line amount (price × quantity, as entered) and, optionally, its own taxes."""

    amount: Decimal | int | str
    quantity: Decimal | int | str = 1
    taxes: Sequence[TaxLike] | None = None


@dataclass
class LineTaxes:
    base: Decimal  # untaxed amount of the line
    taxes: list[tuple[TaxLike, Decimal]]  # (tax, amount): rounded per line, else exact
    total: Decimal


@dataclass
class TaxTotal:
    tax: TaxLike
    base: Decimal
    amount: Decimal


@dataclass
class TaxResult:
    lines: list[LineTaxes]
    totals: list[TaxTotal] = field(default_factory=list)
    untaxed: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO


def _tax_of(tax: TaxLike, base: Decimal, quantity: Decimal) -> Decimal:
    if tax.kind == "fixed":
        return to_decimal(tax.amount) * quantity
    return base * to_decimal(tax.amount) / HUNDRED


def _base_of(amount: Decimal, quantity: Decimal, taxes: Sequence[TaxLike]) -> Decimal:
    """The untaxed base of an amount that includes its price-included taxes."""
    included = [t for t in taxes if t.price_include]
    fixed = sum((to_decimal(t.amount) * quantity for t in included if t.kind == "fixed"), ZERO)
    rate = sum((to_decimal(t.amount) for t in included if t.kind != "fixed"), ZERO)
    return (amount - fixed) / (1 + rate / HUNDRED)


def compute_taxes(
    lines: Sequence[TaxableLine | Decimal | int | str],
    taxes: Sequence[TaxLike] = (),
    rounding: str = PER_LINE,
    currency: str = "USD",
) -> TaxResult:
    """Bases, tax amounts and totals of a document, exact to the currency's precision.

    `taxes` apply to every line that names none of its own. Price-included taxes
    are taken out of the line amount first (the amount entered stays the total
    of those taxes and the base); excluded taxes are added on the base.
    `rounding` is "per_line" (round each tax of each line, then add) or
    "per_document" (add the exact amounts per tax, round each total once).
    Per document, included taxes' rounding difference goes to the base, so the
    document total still equals the amounts entered plus the excluded taxes.
    """
    if rounding not in (PER_LINE, PER_DOCUMENT):
        raise ValueError(f"rounding must be {PER_LINE!r} or {PER_DOCUMENT!r}")
    per_line = rounding == PER_LINE
    results: list[LineTaxes] = []
    totals: dict[int, TaxTotal] = {}
    exact_tax: dict[int, Decimal] = {}
    included_amounts = ZERO  # Σ amounts entered on lines with included taxes
    plain_bases = ZERO  # Σ bases of lines without included taxes
    for raw in lines:
        line = raw if isinstance(raw, TaxableLine) else TaxableLine(amount=raw)
        amount = round_money(to_decimal(line.amount), currency)
        quantity = to_decimal(line.quantity)
        line_taxes = list(line.taxes if line.taxes is not None else taxes)
        has_included = any(t.price_include for t in line_taxes)
        exact_base = _base_of(amount, quantity, line_taxes) if has_included else amount
        amounts = []
        for tax in line_taxes:
            exact = _tax_of(tax, exact_base, quantity)
            amounts.append((tax, round_money(exact, currency) if per_line else exact))
            exact_tax[id(tax)] = exact_tax.get(id(tax), ZERO) + exact
        if has_included:
            included_amounts += amount
            base = amount - sum(
                (a for t, a in amounts if t.price_include), ZERO
            )  # per line: base + included taxes == amount entered
            base = round_money(base, currency) if per_line else base
        else:
            base = amount
            plain_bases += amount
        total = base + sum((a for _, a in amounts), ZERO)
        results.append(LineTaxes(base=base, taxes=amounts, total=total))
        for tax, _ in amounts:
            entry = totals.setdefault(id(tax), TaxTotal(tax=tax, base=ZERO, amount=ZERO))
            entry.base += base
    for key, entry in totals.items():
        if per_line:
            entry.amount = sum((a for line in results for t, a in line.taxes if id(t) == key), ZERO)
        else:
            entry.amount = round_money(exact_tax[key], currency)
        entry.base = round_money(entry.base, currency)
    tax_total = sum((t.amount for t in totals.values()), ZERO)
    if per_line:
        untaxed = sum((line.base for line in results), ZERO)
    else:
        included_tax = sum((t.amount for t in totals.values() if t.tax.price_include), ZERO)
        untaxed = plain_bases + included_amounts - included_tax
    return TaxResult(
        lines=results,
        totals=list(totals.values()),
        untaxed=untaxed,
        tax=tax_total,
        total=untaxed + tax_total,
    )
