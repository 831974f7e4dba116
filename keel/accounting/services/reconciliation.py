"""Open items and reconciliation.

Every posted line on a receivable or payable account opens an item. Reconciling
takes the same company-currency amount off a debit item and a credit item, so the
sum of residuals per party always equals the party's balance on the account. In
a foreign currency the items are settled in that currency; what is left in the
company's currency is the realised exchange difference, posted to the FX gain or
loss role and reconciled at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from keel.core.errors import InvalidInput
from keel.core.events import publish
from keel.core.money import round_money
from keel.core.transactions import atomic_service

from ..events_invoicing import InvoicePaid
from ..models import Invoice, Journal, JournalEntry, OpenItem, Reconciliation
from .posting import Line, post_entry, reverse_entry

ZERO = Decimal(0)


def open_items_for(
    entry: JournalEntry, *, invoice=None, payment=None, due_dates: list[dt.date] | None = None
) -> list[OpenItem]:
    """One open item per line of `entry` on a per-party account (in line order);
    `due_dates` gives the due date of each, else the entry's date."""
    lines = list(
        entry.lines.filter(account__party_balances=True, party__isnull=False).order_by("sequence")
    )
    due_dates = list(due_dates or [])
    items = [
        OpenItem(
            company_id=entry.company_id,
            account_id=line.account_id,
            party_id=line.party_id,
            line=line,
            entry=entry,
            invoice=invoice,
            payment=payment,
            date=entry.date,
            due_date=due_dates[i] if i < len(due_dates) else entry.date,
            currency=line.currency,
            amount=line.debit - line.credit,
            amount_currency=line.amount_currency,
            residual=line.debit - line.credit,
            residual_currency=line.amount_currency,
        )
        for i, line in enumerate(lines)
    ]
    return OpenItem.objects.bulk_create(items)


def _general_journal(company_id: int) -> Journal:
    journal = Journal.objects.filter(
        company_id=company_id, kind=Journal.Kind.GENERAL, active=True
    ).first()
    if journal is None:
        raise InvalidInput("No active general journal exists for exchange differences.")
    return journal


def _settle(debit: OpenItem, credit: OpenItem, company_currency: str) -> tuple[Decimal, Decimal]:
    """Company amount and currency amount to take off both items."""
    if debit.currency != credit.currency:
        raise InvalidInput(
            f"Items in {debit.currency} and {credit.currency} cannot be reconciled together.",
            code="currency_mismatch",
        )
    if debit.currency == company_currency:
        amount = min(debit.residual, -credit.residual)
        return amount, amount
    matched = min(debit.residual_currency, -credit.residual_currency)

    def share(item: OpenItem, residual: Decimal, residual_currency: Decimal) -> Decimal:
        if matched == residual_currency:
            return residual
        return round_money(matched * residual / residual_currency, company_currency)

    on_debit = share(debit, debit.residual, debit.residual_currency)
    on_credit = share(credit, -credit.residual, -credit.residual_currency)
    return min(on_debit, on_credit), matched


def _exchange(item: OpenItem, day: dt.date, by) -> tuple[OpenItem, JournalEntry]:
    """Post the exchange difference left on `item` and return the item that closes it."""
    left = item.residual
    entry = post_entry(
        item.entry.company,
        _general_journal(item.company_id),
        day,
        [
            Line(
                account=item.account_id,
                party=item.party_id,
                currency=item.currency,
                amount_currency=ZERO,
                debit=-left if left < 0 else ZERO,
                credit=left if left > 0 else ZERO,
                label="Exchange difference",
            ),
            Line(
                role="fx_loss" if left > 0 else "fx_gain",
                debit=left if left > 0 else ZERO,
                credit=-left if left < 0 else ZERO,
                label="Exchange difference",
            ),
        ],
        ref=f"Exchange difference on {item.entry.number}",
        by=by,
    )
    return open_items_for(entry)[0], entry


def _pair(debit, credit, day, by, company) -> list[Reconciliation]:
    amount, amount_currency = _settle(debit, credit, company.currency)
    debit.residual -= amount
    credit.residual += amount
    debit.residual_currency -= amount_currency
    credit.residual_currency += amount_currency
    row = Reconciliation(
        company=company,
        debit_item=debit,
        credit_item=credit,
        amount=amount,
        amount_currency=amount_currency,
        date=day,
    )
    rows = [row]
    for item in (debit, credit):
        if item.residual_currency == 0 and item.residual != 0:
            closing, entry = _exchange(item, day, by)
            row.exchange_entry = entry
            pair = (item, closing) if item.residual > 0 else (closing, item)
            rows.append(
                Reconciliation(
                    company=company,
                    debit_item=pair[0],
                    credit_item=pair[1],
                    amount=abs(item.residual),
                    amount_currency=ZERO,
                    date=day,
                    exchange_entry=entry,
                )
            )
            closing.residual = closing.residual_currency = ZERO
            closing.save(update_fields=["residual", "residual_currency"])
            item.residual = ZERO
    return rows


@atomic_service
def reconcile_items(items: list[OpenItem], *, date: dt.date, by=None) -> list[Reconciliation]:
    """Settle debit items against credit items of the same account and party, oldest
    due first; post exchange differences; refresh the documents' payment status."""
    ids = sorted({item.pk for item in items})
    locked = list(
        OpenItem.objects.select_for_update(of=("self",))
        .select_related("entry__company")
        .filter(pk__in=ids)
        .order_by("due_date", "id")
    )
    if not locked:
        return []
    company = locked[0].entry.company
    groups: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    for item in locked:
        if item.residual > 0 or (item.residual == 0 and item.residual_currency > 0):
            groups[(item.account_id, item.party_id)][0].append(item)
        elif item.residual < 0 or item.residual_currency < 0:
            groups[(item.account_id, item.party_id)][1].append(item)
    rows: list[Reconciliation] = []
    for debits, credits in groups.values():
        while debits and credits:
            pair = _pair(debits[0], credits[0], date, by, company)
            if not (pair[0].amount or pair[0].amount_currency):
                break  # nothing left to match in this group
            rows += pair
            for side in (debits, credits):
                if side[0].residual_currency == 0 and side[0].residual == 0:
                    side.pop(0)
    OpenItem.objects.bulk_update(locked, ["residual", "residual_currency"])
    Reconciliation.objects.bulk_create(rows)
    refresh_payment_status({item.invoice_id for item in locked if item.invoice_id})
    return rows


def refresh_payment_status(invoice_ids) -> None:
    """Derive each posted document's payment status from its open items."""
    invoices = Invoice.objects.filter(pk__in=invoice_ids, status=Invoice.Status.POSTED)
    residuals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for item in OpenItem.objects.filter(invoice_id__in=invoice_ids):
        residuals[item.invoice_id][0] += abs(item.amount_currency)
        residuals[item.invoice_id][1] += abs(item.residual_currency)
    for invoice in invoices.select_related("company"):
        total, left = residuals[invoice.pk]
        status = (
            Invoice.PaymentStatus.PAID
            if left == 0
            else Invoice.PaymentStatus.NOT_PAID
            if left == total
            else Invoice.PaymentStatus.PARTIAL
        )
        if status != invoice.payment_status:
            Invoice.objects.filter(pk=invoice.pk).update(payment_status=status)
            publish(
                InvoicePaid(invoice_id=invoice.pk, number=invoice.number, payment_status=status),
                company=invoice.company,
            )


@atomic_service
def reconcile_documents(invoice_ids: list[int], *, date: dt.date, by=None):
    """Settle posted documents against each other (a credit note against an invoice)."""
    invoices = list(Invoice.objects.select_for_update().filter(pk__in=sorted(invoice_ids)))
    if len(invoices) != len(set(invoice_ids)):
        raise InvalidInput("Unknown document.", field="invoices")
    for invoice in invoices:
        if invoice.status != Invoice.Status.POSTED:
            raise InvalidInput(f"{invoice} is {invoice.status}; only posted documents reconcile.")
    if len({invoice.party_id for invoice in invoices}) > 1:
        raise InvalidInput("Documents of different parties do not reconcile.", field="invoices")
    items = list(
        OpenItem.objects.filter(invoice__in=invoices).exclude(residual=0, residual_currency=0)
    )
    rows = reconcile_items(items, date=date, by=by)
    if not rows:
        raise InvalidInput("Nothing to reconcile: the documents have no opposite open amounts.")
    return rows


@atomic_service
def unreconcile_items(item_ids: list[int], *, date: dt.date | None = None, by=None) -> int:
    """Undo every reconciliation touching these items (and the exchange differences
    they posted, by reversal); returns how many reconciliations were undone."""
    rows = list(
        Reconciliation.objects.select_for_update().filter(
            Q(debit_item_id__in=item_ids) | Q(credit_item_id__in=item_ids)
        )
    )
    exchange_ids = {row.exchange_entry_id for row in rows if row.exchange_entry_id}
    rows += list(
        Reconciliation.objects.filter(exchange_entry_id__in=exchange_ids).exclude(
            pk__in=[row.pk for row in rows]
        )
    )
    if not rows:
        return 0
    touched = {row.debit_item_id for row in rows} | {row.credit_item_id for row in rows}
    items = {
        item.pk: item
        for item in OpenItem.objects.select_for_update().filter(pk__in=sorted(touched))
    }
    for row in rows:
        debit, credit = items[row.debit_item_id], items[row.credit_item_id]
        debit.residual += row.amount
        credit.residual -= row.amount
        debit.residual_currency += row.amount_currency
        credit.residual_currency -= row.amount_currency
    OpenItem.objects.bulk_update(list(items.values()), ["residual", "residual_currency"])
    Reconciliation.objects.filter(pk__in=[row.pk for row in rows]).delete()
    for entry in JournalEntry.objects.filter(pk__in=exchange_ids).select_related("company"):
        reversal = reverse_entry(entry, date or entry.date, by=by, reason="unreconciled")
        closing = open_items_for(reversal)
        original = [i for i in items.values() if i.entry_id == entry.pk]
        reconcile_items(original + closing, date=date or entry.date, by=by)
    refresh_payment_status({item.invoice_id for item in items.values() if item.invoice_id})
    return len(rows)
