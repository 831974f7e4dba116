"""Invoices, bills and credit notes: drafts, totals, posting and cancellation.

A draft is edited freely (a stale version is refused with 412). Posting fixes
the rate, posts the entry through the posting engine (one receivable or payable
line per instalment, revenue or expense per line, one tax line per tax), takes
the entry's gapless number as the document's legal number and opens one item
per instalment. Cancelling posts the reversal and settles it against the items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keel.core.errors import InvalidInput, StaleRecord
from keel.core.events import publish
from keel.core.money import round_money, to_decimal
from keel.core.transactions import atomic_service
from keel.core.workflow import transition

from ..errors import RoleNotConfigured
from ..events_invoicing import InvoiceCancelled, InvoicePosted
from ..models import Invoice, InvoiceLine, Journal, Reconciliation, Tax
from ..selectors.chart import accounting_settings
from ..taxes import TaxableLine, compute_taxes
from .currency import rate_on, to_company
from .payment_terms import instalments
from .posting import Line, post_entry, reverse_entry
from .reconciliation import open_items_for, reconcile_items

ZERO = Decimal(0)
HUNDRED = Decimal(100)
EDITABLE = ("party", "date", "payment_term", "currency", "ref", "notes", "journal")


class DocumentNotEditable(InvalidInput):
    code = "invoice_not_editable"


@dataclass
class Totals:
    untaxed: Decimal
    tax: Decimal
    total: Decimal
    line_bases: list[Decimal]
    line_totals: list[Decimal]
    taxes: list  # TaxTotal


def currency_of(invoice: Invoice) -> str:
    return (invoice.currency or invoice.company.currency).upper()


def line_amount(line: InvoiceLine) -> Decimal:
    """Quantity × unit price less the discount, before rounding."""
    gross = to_decimal(line.quantity) * to_decimal(line.unit_price)
    return gross * (HUNDRED - to_decimal(line.discount)) / HUNDRED


def compute_totals(invoice: Invoice, lines: list[InvoiceLine], line_taxes: list[list[Tax]]):
    """The document's totals by the company's rounding rule: Σ rounded line bases
    plus the taxes; per document, the base's rounding goes to the last line."""
    currency = currency_of(invoice)
    by_pk: dict[int, Tax] = {}  # one object per tax, so compute_taxes adds them up
    taxable = [
        TaxableLine(
            amount=round_money(line_amount(line), currency),
            taxes=[by_pk.setdefault(t.pk, t) for t in taxes],
        )
        for line, taxes in zip(lines, line_taxes, strict=True)
    ]
    rule = accounting_settings(invoice.company_id).tax_rounding
    result = compute_taxes(taxable, rounding=rule, currency=currency)
    bases = [round_money(r.base, currency) for r in result.lines]
    if bases:
        bases[-1] += result.untaxed - sum(bases, ZERO)
    line_totals = [
        base + sum((round_money(a, currency) for _, a in r.taxes), ZERO)
        for base, r in zip(bases, result.lines, strict=True)
    ]
    return Totals(result.untaxed, result.tax, result.total, bases, line_totals, result.totals)


def _check_version(invoice: Invoice, version: int | None) -> None:
    if version is not None and int(version) != invoice.version:
        raise StaleRecord(
            f"{invoice} changed since you read it (version {version}, now {invoice.version}); "
            "reload it and apply your change again.",
            field="version",
        )


def _lock(invoice_id: int) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",)).select_related("company").get(pk=invoice_id)
    )


def _write_lines(invoice: Invoice, lines: list[dict]) -> None:
    """Replace the draft's lines and store its totals."""
    if not lines:
        raise InvalidInput("A document needs at least one line.", field="lines")
    invoice.lines.all().delete()
    records, taxes = [], []
    asked = [
        [getattr(t, "pk", t) for t in (raw.get("taxes") or [])] for raw in lines
    ]  # one query for the taxes of all lines, not one per line
    wanted = {pk for ids in asked for pk in ids}
    found = (
        {t.pk: t for t in Tax.objects.filter(company=invoice.company, pk__in=wanted)}
        if wanted
        else {}
    )
    for position, (raw, tax_ids) in enumerate(zip(lines, asked, strict=True), 1):
        data = dict(raw)
        data.pop("taxes", None)
        if any(pk not in found for pk in tax_ids):
            raise InvalidInput(f"Line {position}: unknown tax.", field=f"lines[{position}].taxes")
        quantity = to_decimal(str(data.get("quantity", 1)))
        discount = to_decimal(str(data.get("discount", 0)))
        if quantity <= 0:
            raise InvalidInput(
                f"Line {position}: the quantity must be positive.", field=f"lines[{position}]"
            )
        if not ZERO <= discount <= HUNDRED:
            raise InvalidInput(
                f"Line {position}: the discount is a percentage from 0 to 100.",
                field=f"lines[{position}].discount",
            )
        if not str(data.get("description", "")).strip():
            raise InvalidInput(
                f"Line {position}: describe what is billed.", field=f"lines[{position}]"
            )
        records.append(
            InvoiceLine(
                invoice=invoice,
                sequence=position * 10,
                product=data.get("product"),
                description=data["description"],
                quantity=quantity,
                unit_price=to_decimal(str(data.get("unit_price", 0))),
                discount=discount,
                account=data.get("account"),
            )
        )
        taxes.append([found[i] for i in tax_ids])
    totals = compute_totals(invoice, records, taxes)
    for record, base, total in zip(records, totals.line_bases, totals.line_totals, strict=True):
        record.amount_untaxed, record.amount_total = base, total
    InvoiceLine.objects.bulk_create(records)
    through = InvoiceLine.taxes.through
    links = [
        through(invoiceline_id=record.pk, tax_id=tax.pk)
        for record, line_taxes in zip(records, taxes, strict=True)
        for tax in dict.fromkeys(line_taxes)
    ]
    if links:
        through.objects.bulk_create(links)
    invoice.amount_untaxed, invoice.amount_tax = totals.untaxed, totals.tax
    invoice.amount_total = totals.total
    invoice.save(update_fields=["amount_untaxed", "amount_tax", "amount_total"])


@atomic_service
def create_invoice(
    company,
    *,
    party,
    date: dt.date,
    lines: list[dict],
    kind=Invoice.Kind.CUSTOMER_INVOICE,
    by=None,
    **fields,
) -> Invoice:
    """A draft with its lines and totals."""
    if kind not in Invoice.Kind.values:
        raise InvalidInput(f"Unknown document kind '{kind}'.", field="kind")
    unknown = set(fields) - set(EDITABLE) - {"reversed_invoice"}
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if getattr(party, "company_id", company.pk) != company.pk:
        raise InvalidInput("The party belongs to another company.", field="party")
    invoice = Invoice.objects.create(
        company=company,
        kind=kind,
        party=party,
        date=date,
        created_by=by,
        updated_by=by,
        **{"currency": (fields.pop("currency", "") or "").upper(), **fields},
    )
    _write_lines(invoice, lines)
    return invoice


@atomic_service
def update_invoice(invoice_id: int, *, by=None, version=None, lines=None, **fields) -> Invoice:
    """Change a draft; a stale version is refused (412), a posted one (400)."""
    invoice = _lock(invoice_id)
    _check_version(invoice, version)
    if invoice.status != Invoice.Status.DRAFT:
        raise DocumentNotEditable(
            f"{invoice} is {invoice.status}: only drafts change; cancel it or issue a credit "
            "note instead."
        )
    for name, value in fields.items():
        if name not in EDITABLE:
            raise InvalidInput(f"'{name}' cannot be changed.", field=name)
        setattr(invoice, name, value.upper() if name == "currency" else value)
    invoice.version += 1
    invoice.updated_by = by
    invoice.save()
    if lines is not None:
        _write_lines(invoice, lines)
    elif fields.get("currency") is not None:
        _write_lines(invoice, _lines_as_dicts(invoice))
    return invoice


def _lines_as_dicts(invoice: Invoice) -> list[dict]:
    return [
        {
            "product": line.product,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
            "account": line.account,
            "taxes": list(line.taxes.all()),
        }
        for line in invoice.lines.all()
    ]


def journal_for(invoice: Invoice) -> Journal:
    if invoice.journal_id:
        return invoice.journal
    kind = Journal.Kind.SALES if invoice.is_customer else Journal.Kind.PURCHASES
    journal = Journal.objects.filter(company_id=invoice.company_id, kind=kind, active=True).first()
    if journal is None:
        raise RoleNotConfigured(f"No active {kind} journal exists; create one.", field="journal")
    return journal


def _signed(amount: Decimal, amount_currency: Decimal, **fields) -> Line:
    """A posting line from a signed amount (positive = debit)."""
    return Line(
        debit=amount if amount > 0 else ZERO,
        credit=-amount if amount < 0 else ZERO,
        amount_currency=amount_currency,
        **fields,
    )


def _entry_lines(invoice: Invoice, rate: Decimal) -> tuple[list[Line], list[dt.date]]:
    company_currency = invoice.company.currency
    currency = currency_of(invoice)
    lines = list(invoice.lines.prefetch_related("taxes").order_by("sequence", "id"))
    taxes = [list(line.taxes.all()) for line in lines]
    totals = compute_totals(invoice, lines, taxes)
    sign = -invoice.partner_sign  # revenue/expense and taxes sit opposite the partner
    default_role = "revenue" if invoice.is_customer else "expense"
    posting: list[Line] = []
    company_total = ZERO
    for line, base in zip(lines, totals.line_bases, strict=True):
        if not base:
            continue
        converted = to_company(base, rate, company_currency)
        company_total += converted
        posting.append(
            _signed(
                sign * converted,
                sign * base,
                currency=currency,
                label=line.description[:200],
                account=line.account_id,
                role=None if line.account_id else default_role,
            )
        )
    for total in totals.taxes:
        if not total.amount:
            continue
        converted = to_company(total.amount, rate, company_currency)
        company_total += converted
        posting.append(
            _signed(
                sign * converted,
                sign * total.amount,
                currency=currency,
                role=total.tax.account_role,
                tax=total.tax.pk,
                tax_base_amount=to_company(total.base, rate, company_currency),
                label=total.tax.name,
            )
        )
    parts = instalments(invoice.payment_term, totals.total, invoice.date, currency)
    partner_role = "receivable" if invoice.is_customer else "payable"
    allotted = ZERO
    due_dates = []
    for position, part in enumerate(parts):
        if position == len(parts) - 1:
            converted = company_total - allotted
        else:
            converted = to_company(part.amount, rate, company_currency)
        allotted += converted
        due_dates.append(part.due_date)
        posting.append(
            _signed(
                invoice.partner_sign * converted,
                invoice.partner_sign * part.amount,
                currency=currency,
                role=partner_role,
                party=invoice.party_id,
                label=f"Instalment {position + 1} due {part.due_date.isoformat()}",
                due_date=part.due_date,
            )
        )
    return posting, due_dates


@atomic_service
def post_invoice(invoice_id: int, *, by=None, version=None) -> Invoice:
    """Post a draft: fix its rate, post its entry, take its legal number, open its items."""
    invoice = _lock(invoice_id)
    _check_version(invoice, version)
    if invoice.status != Invoice.Status.DRAFT:
        transition(invoice, Invoice.Status.POSTED, by=by)  # raises the clear 409
    if invoice.amount_total <= 0:
        raise InvalidInput(
            f"{invoice} totals {invoice.amount_total}: only a positive total can be posted "
            "(bill a refund with a credit note).",
            field="lines",
        )
    invoice.rate = rate_on(invoice.company, currency_of(invoice), invoice.date)
    invoice.currency = currency_of(invoice)
    invoice.journal = journal_for(invoice)
    lines, due_dates = _entry_lines(invoice, invoice.rate)
    entry = post_entry(
        invoice.company,
        invoice.journal,
        invoice.date,
        lines,
        ref=f"{invoice.get_kind_display()} {invoice.ref}".strip(),
        by=by,
        source=invoice,
    )
    invoice.entry, invoice.number = entry, entry.number
    invoice.due_date = max(due_dates)
    invoice.save(update_fields=["rate", "currency", "journal", "entry", "number", "due_date"])
    open_items_for(entry, invoice=invoice, due_dates=due_dates)
    transition(invoice, Invoice.Status.POSTED, by=by)
    publish(
        InvoicePosted(
            invoice_id=invoice.pk,
            number=invoice.number,
            kind=invoice.kind,
            party_id=invoice.party_id,
            total=str(invoice.amount_total),
            currency=invoice.currency,
        ),
        company=invoice.company,
    )
    return invoice


@atomic_service
def cancel_invoice(
    invoice_id: int, *, date: dt.date, reason: str, by=None, version=None
) -> Invoice:
    """Cancel a posted document by posting its reversal; refused while payments or
    credit notes are reconciled with it (unreconcile them first)."""
    invoice = _lock(invoice_id)
    _check_version(invoice, version)
    transition_check = Invoice.TRANSITIONS.get(invoice.status, set())
    if Invoice.Status.CANCELLED not in transition_check:
        transition(invoice, Invoice.Status.CANCELLED, by=by)  # raises the clear 409
    items = list(invoice.open_items.all())
    if Reconciliation.objects.filter(debit_item__in=items).exists() or (
        Reconciliation.objects.filter(credit_item__in=items).exists()
    ):
        raise InvalidInput(
            f"{invoice} has payments or credit notes reconciled with it; unreconcile them "
            "before cancelling.",
            code="invoice_reconciled",
        )
    reversal = reverse_entry(invoice.entry, date, by=by, reason=reason or "cancelled")
    reversed_items = open_items_for(reversal, invoice=None, due_dates=[i.due_date for i in items])
    invoice.cancel_entry = reversal
    invoice.save(update_fields=["cancel_entry"])
    transition(invoice, Invoice.Status.CANCELLED, by=by, note=reason)
    # Cancelled first: settling the items against the reversal is not a payment, so the
    # document keeps "not paid" and no InvoicePaid tells sales or purchasing otherwise.
    reconcile_items(items + reversed_items, date=date, by=by)
    publish(InvoiceCancelled(invoice_id=invoice.pk, number=invoice.number), company=invoice.company)
    return invoice


@atomic_service
def credit_note_for(invoice_id: int, *, date: dt.date, by=None, lines=None) -> Invoice:
    """A draft credit note for a posted document: its lines (or the given ones)."""
    invoice = Invoice.objects.select_related("company").get(pk=invoice_id)
    if invoice.status != Invoice.Status.POSTED or invoice.is_credit_note:
        raise InvalidInput(f"Only a posted invoice or bill can be credited; {invoice} cannot.")
    kind = (
        Invoice.Kind.CUSTOMER_CREDIT_NOTE
        if invoice.is_customer
        else Invoice.Kind.VENDOR_CREDIT_NOTE
    )
    return create_invoice(
        invoice.company,
        party=invoice.party,
        date=date,
        kind=kind,
        by=by,
        lines=lines if lines is not None else _lines_as_dicts(invoice),
        currency=invoice.currency,
        reversed_invoice=invoice,
        ref=f"Credit of {invoice.number}",
    )
