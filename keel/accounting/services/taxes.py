"""Taxes: maintain them, and turn a computed document into its tax lines."""

from __future__ import annotations

from decimal import Decimal

from keel.core.transactions import atomic_service

from ..errors import InvalidLine
from ..models import Tax, TaxGroup
from ..taxes import TaxResult
from .posting import Line

ZERO = Decimal(0)


@atomic_service
def save_tax(tax: Tax, *, by=None) -> Tax:
    """Create or change a tax; a percentage lies between 0 and 100."""
    if tax.amount is None or tax.amount < 0:
        raise InvalidLine("A tax amount cannot be negative.", field="amount")
    if tax.kind == Tax.Kind.PERCENT and tax.amount > 100:
        raise InvalidLine("A percentage tax cannot exceed 100%.", field="amount")
    if (
        Tax.objects.filter(company_id=tax.company_id, name=tax.name, use=tax.use)
        .exclude(pk=tax.pk)
        .exists()
    ):
        raise InvalidLine(
            f"A {tax.get_use_display().lower()} tax named {tax.name} exists.", field="name"
        )
    if not tax.pk:
        tax.created_by = by
    tax.updated_by = by
    tax.save()
    return tax


@atomic_service
def save_tax_group(group: TaxGroup, taxes: list[Tax], *, by=None) -> TaxGroup:
    if any(t.company_id != group.company_id for t in taxes):
        raise InvalidLine("A tax group holds taxes of its own company only.", field="taxes")
    if not group.pk:
        group.created_by = by
    group.updated_by = by
    group.save()
    group.taxes.set(taxes)
    return group


def tax_entry_lines(result: TaxResult, *, party=None, label: str = "") -> list[Line]:
    """One posting line per tax of `result`, on the account of the tax's role.

    A sales tax is credited (owed to the state), a purchase tax debited
    (recoverable); negative amounts (credit notes) go to the other side. Each
    line carries its tax and the base it was computed on (signed like the base
    lines: negative for sales), which is what the tax report reads.
    """
    lines = []
    for total in result.totals:
        tax = total.tax
        sale = getattr(tax, "use", "sale") == Tax.Use.SALE
        amount, base = total.amount, total.base
        debit, credit = (ZERO, amount) if sale else (amount, ZERO)
        if amount < 0:
            debit, credit = -credit, -debit
        lines.append(
            Line(
                role=tax.account_role,
                debit=debit,
                credit=credit,
                party=party,
                label=label or str(tax),
                tax=tax,
                tax_base_amount=-base if sale else base,
            )
        )
    return lines
