"""Payments: register one (posting it in a bank or cash journal) and settle the
documents it pays, with an optional write-off of a small difference; unreconcile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keel.core.errors import InvalidInput
from keel.core.events import publish
from keel.core.money import format_money, to_decimal
from keel.core.transactions import atomic_service

from ..events_invoicing import PaymentRegistered
from ..models import Invoice, InvoicingSettings, Journal, OpenItem, Payment
from .currency import rate_on, to_company
from .posting import Line, post_entry
from .reconciliation import open_items_for, reconcile_items, unreconcile_items

ZERO = Decimal(0)


class OverPayment(InvalidInput):
    code = "payment_exceeds_due"


class WriteOffRefused(InvalidInput):
    code = "write_off_refused"


def write_off_tolerance(company) -> Decimal:
    found = InvoicingSettings.objects.filter(company=company).first()
    return found.write_off_tolerance if found else ZERO


@atomic_service
def set_write_off_tolerance(company, amount, *, by=None) -> InvoicingSettings:
    amount = to_decimal(str(amount))
    if amount < 0:
        raise InvalidInput("The tolerance cannot be negative.", field="write_off_tolerance")
    record, _ = InvoicingSettings.objects.update_or_create(
        company=company, defaults={"write_off_tolerance": amount}
    )
    return record


def _journal(company, journal: Journal | None) -> Journal:
    if journal is None:
        journal = Journal.objects.filter(
            company=company, kind=Journal.Kind.BANK, active=True
        ).first()
    if journal is None or journal.kind not in (Journal.Kind.BANK, Journal.Kind.CASH):
        raise InvalidInput("Pay through an active bank or cash journal.", field="journal")
    return journal


def _documents(company, party, invoice_ids, currency: str) -> tuple[list[Invoice], list[OpenItem]]:
    invoices = list(
        Invoice.objects.select_for_update().filter(company=company, pk__in=sorted(invoice_ids))
    )
    if len(invoices) != len(set(invoice_ids)):
        raise InvalidInput("One of the documents does not exist.", field="invoices")
    for invoice in invoices:
        if invoice.status != Invoice.Status.POSTED:
            raise InvalidInput(f"{invoice} is {invoice.status}; only posted documents are paid.")
        if invoice.party_id != party.pk:
            raise InvalidInput(f"{invoice} is billed to another party.", field="invoices")
        if invoice.currency != currency:
            raise InvalidInput(
                f"{invoice} is in {invoice.currency}; pay it in {invoice.currency}.",
                field="currency",
            )
    items = list(
        OpenItem.objects.filter(invoice__in=invoices).exclude(residual=0, residual_currency=0)
    )
    return invoices, items


def _chosen_items(company, party, item_ids, currency: str) -> tuple[list[Invoice], list[OpenItem]]:
    """The open items chosen one by one (an instalment, a manual entry) and their documents."""
    items = list(
        OpenItem.objects.select_for_update()
        .filter(company=company, pk__in=sorted(set(item_ids)))
        .exclude(residual=0, residual_currency=0)
    )
    if len(items) != len(set(item_ids)):
        raise InvalidInput(
            "One of the open items does not exist or is settled.", field="open_items"
        )
    for item in items:
        if item.party_id != party.pk:
            raise InvalidInput(
                "One of the open items belongs to another party.", field="open_items"
            )
        if item.currency != currency:
            raise InvalidInput(
                f"An open item is in {item.currency}; pay it in {item.currency}.", field="currency"
            )
    invoice_ids = sorted({item.invoice_id for item in items if item.invoice_id})
    invoices = list(Invoice.objects.select_for_update().filter(pk__in=invoice_ids))
    return invoices, items


@atomic_service
def register_payment(
    company,
    *,
    party,
    amount,
    date: dt.date,
    direction: str = Payment.Direction.INBOUND,
    invoices: list[int] = (),
    currency: str | None = None,
    journal: Journal | None = None,
    write_off: bool = False,
    memo: str = "",
    by=None,
    open_items: list[int] = (),
    via_role: str | None = None,
) -> Payment:
    """Post a payment and settle `invoices` (or the chosen `open_items`) with it,
    oldest instalment first.

    More than is due is refused unless `write_off` is asked and the difference is
    within the company's tolerance; then the difference goes to the write-off role.
    `via_role` books the money side on that role instead of the journal's account:
    a bank line already posted bank ↔ suspense is paid out of suspense.
    """
    amount = to_decimal(str(amount))
    currency = (currency or company.currency).upper()
    if amount <= 0:
        raise InvalidInput("A payment amount must be positive.", field="amount")
    if direction not in Payment.Direction.values:
        raise InvalidInput(f"Unknown direction '{direction}'.", field="direction")
    if party.company_id != company.pk:
        raise InvalidInput("The party belongs to another company.", field="party")
    journal = _journal(company, journal)
    if open_items:
        docs, items = _chosen_items(company, party, list(open_items), currency)
    else:
        docs, items = _documents(company, party, list(invoices), currency)
    sign = -1 if direction == Payment.Direction.INBOUND else 1  # sign of the partner line
    roles = {item.account_id for item in items}
    partner_role = "receivable" if direction == Payment.Direction.INBOUND else "payable"
    if docs:
        partner_role = "receivable" if docs[0].is_customer else "payable"
        if any(d.is_customer != docs[0].is_customer for d in docs):
            raise InvalidInput("Pay customer and vendor documents separately.", field="invoices")
    if len(roles) > 1:
        raise InvalidInput("Pay customer and vendor documents separately.", field="invoices")
    chosen = bool(docs or items)
    due = -sign * sum((i.residual_currency for i in items), ZERO)
    difference = due - amount  # > 0: paid less; < 0: paid more
    write_off_amount = ZERO
    rate = rate_on(company, currency, date)
    if chosen and due <= 0:
        raise InvalidInput("These documents have nothing left to pay in this direction.")
    if chosen and difference and write_off:
        tolerance = write_off_tolerance(company)
        if abs(to_company(difference, rate, company.currency)) > tolerance:
            raise WriteOffRefused(
                f"The difference of {format_money(abs(difference), currency)} exceeds the "
                f"write-off tolerance of {format_money(tolerance, company.currency)}.",
                field="amount",
            )
        write_off_amount = difference
    elif chosen and difference < 0:
        numbers = ", ".join(d.number for d in docs) or "the chosen open items"
        raise OverPayment(
            f"The payment of {format_money(amount, currency)} exceeds the "
            f"{format_money(due, currency)} due on {numbers} by "
            f"{format_money(-difference, currency)}; lower it, or write the difference off "
            "(within the tolerance).",
            field="amount",
        )
    payment = Payment.objects.create(
        company=company,
        direction=direction,
        party=party,
        date=date,
        amount=amount,
        currency=currency,
        rate=rate,
        write_off=write_off_amount,
        journal=journal,
        memo=memo,
        created_by=by,
        updated_by=by,
    )
    settled = amount + write_off_amount
    bank = to_company(amount, rate, company.currency)
    partner = to_company(settled, rate, company.currency)
    lines = [
        _line(
            -sign * bank,
            -sign * amount,
            currency,
            label=memo or "Payment",
            **_money_side(journal, via_role),
        ),
    ]
    if write_off_amount:
        lines.append(
            _line(
                -sign * (partner - bank),
                -sign * write_off_amount,
                currency,
                role="write_off",
                label="Write-off",
            )
        )
    lines.append(
        _line(
            sign * partner,
            sign * settled,
            currency,
            **({"account": next(iter(roles))} if roles else {"role": partner_role}),
            party=party.pk,
            label=memo or "Payment",
        )
    )
    entry = post_entry(company, journal, date, lines, ref=memo, by=by, source=payment)
    payment.entry, payment.number = entry, entry.number
    payment.save(update_fields=["entry", "number"])
    own = open_items_for(entry, payment=payment)
    if items:
        reconcile_items(items + own, date=date, by=by)
    publish(
        PaymentRegistered(
            payment_id=payment.pk,
            number=payment.number,
            party_id=party.pk,
            amount=str(amount),
            currency=currency,
        ),
        company=company,
    )
    return payment


def _money_side(journal: Journal, via_role: str | None) -> dict:
    if via_role:
        return {"role": via_role}
    if journal.default_account_id:
        return {"account": journal.default_account_id}
    return {"role": str(journal.kind)}


def _line(amount: Decimal, amount_currency: Decimal, currency: str, **fields) -> Line:
    return Line(
        debit=amount if amount > 0 else ZERO,
        credit=-amount if amount < 0 else ZERO,
        currency=currency,
        amount_currency=amount_currency,
        **fields,
    )


@atomic_service
def unreconcile_payment(payment_id: int, *, by=None) -> int:
    """Detach a payment from the documents it settled; they are open again."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    item_ids = list(payment.open_items.values_list("pk", flat=True))
    undone = unreconcile_items(item_ids, date=payment.date, by=by)
    if not undone:
        raise InvalidInput(f"Payment {payment.number} is not reconciled with anything.")
    return undone
