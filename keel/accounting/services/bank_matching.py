"""Matching a confirmed bank line with open items: the line's money waits in suspense
(bank ↔ suspense, posted on confirmation); reconciling registers a payment out of
suspense to the party's receivable or payable and settles the chosen open items
with it. Unreconciling reverses that payment; the line is back in suspense."""

from __future__ import annotations

import datetime as dt

from keel.core.money import format_money
from keel.core.transactions import atomic_service

from ..errors import (
    BankLineAlreadyReconciled,
    BankLineNotConfirmed,
    BankLineNotReconciled,
    BankLineSignMismatch,
    OpenItemsInvalid,
    OpenItemsOfSeveralParties,
)
from ..models import AccountRole, BankStatementLine, JournalEntry, OpenItem, Payment
from .payments import register_payment
from .posting import reverse_entry
from .reconciliation import open_items_for, reconcile_items, unreconcile_items


def _locked_line(line: BankStatementLine) -> BankStatementLine:
    """The line's row, locked: a second click waits here, then sees the first's result."""
    return (
        BankStatementLine.objects.select_for_update(of=("self",))
        .select_related("statement", "journal", "company")
        .get(pk=line.pk)
    )


def _name(line: BankStatementLine) -> str:
    return f"line {line.sequence} of {line.statement.name}"


def _chosen(line: BankStatementLine, open_items) -> list[OpenItem]:
    ids = sorted({getattr(item, "pk", item) for item in open_items})
    if not ids:
        raise OpenItemsInvalid("Choose the open items this line pays.", field="open_items")
    items = list(
        OpenItem.objects.filter(company_id=line.company_id, pk__in=ids).select_related(
            "party", "invoice", "entry"
        )
    )
    if len(items) != len(ids):
        raise OpenItemsInvalid("One of the open items does not exist.", field="open_items")
    if len({item.party_id for item in items}) > 1:
        names = ", ".join(sorted({item.party.name for item in items}))
        raise OpenItemsOfSeveralParties(
            f"The open items belong to several parties ({names}); a bank line pays one.",
            field="open_items",
        )
    for item in items:
        number = item.invoice.number if item.invoice_id else item.entry.number
        if not item.residual_currency:
            raise OpenItemsInvalid(f"{number} is settled already.", field="open_items")
        if (item.residual_currency > 0) != (line.amount > 0):
            money = "in" if line.amount > 0 else "out"
            owed = "owed to us" if item.residual_currency > 0 else "owed by us"
            raise BankLineSignMismatch(
                f"The {_name(line)} is money {money} "
                f"({format_money(line.amount, line.company.currency)}) but {number} is "
                f"{owed}; match it with items of the other side.",
                field="open_items",
            )
    return items


@atomic_service
def reconcile_line(
    line: BankStatementLine, open_items, *, by=None, write_off: bool = False
) -> Payment:
    """Move a confirmed line's amount from suspense to the party of `open_items` and
    settle them: a payment in the line's bank journal, on the line's date.

    A line smaller than the open amount settles part of it (oldest due first); a
    larger one is refused unless `write_off` and the difference is within the
    company's tolerance. Refused (nothing written) when the line is not confirmed or
    already matched, the items are of several parties or of the other side, or the
    date is in a locked period.
    """
    line = _locked_line(line)
    if line.payment_id:
        number = Payment.objects.filter(pk=line.payment_id).values_list("number", flat=True)
        raise BankLineAlreadyReconciled(
            f"The {_name(line)} is already matched with payment {number.first()}."
        )
    if line.entry_id is None:
        raise BankLineNotConfirmed(
            f"Confirm {line.statement.name} first: its {_name(line)} is not posted yet."
        )
    items = _chosen(line, open_items)
    label = " ".join(p for p in (line.counterparty, line.reference) if p)
    payment = register_payment(
        line.company,
        party=items[0].party,
        amount=abs(line.amount),
        date=line.date,
        direction=Payment.Direction.INBOUND if line.amount > 0 else Payment.Direction.OUTBOUND,
        open_items=[item.pk for item in items],
        journal=line.journal,
        write_off=write_off,
        memo=f"{line.statement.name}/{line.sequence}: {label}"[:200],
        by=by,
        via_role=AccountRole.SUSPENSE,
    )
    line.payment = payment
    line.save(update_fields=["payment"])
    return payment


@atomic_service
def unreconcile_line(
    line: BankStatementLine, *, by=None, date: dt.date | None = None
) -> JournalEntry:
    """Undo a match: the documents are open again, the payment's entry is reversed on
    `date` (the line's date by default) and the line waits in suspense again."""
    line = _locked_line(line)
    if not line.payment_id:
        raise BankLineNotReconciled(f"The {_name(line)} is not matched with anything.")
    payment = Payment.objects.select_related("entry").get(pk=line.payment_id)
    day = date or line.date
    own_ids = list(payment.open_items.values_list("pk", flat=True))
    unreconcile_items(own_ids, date=payment.date, by=by)
    reversal = reverse_entry(payment.entry, day, by=by, reason=f"{_name(line)} unmatched")
    own = list(OpenItem.objects.filter(pk__in=own_ids))
    reconcile_items(own + open_items_for(reversal), date=day, by=by)
    line.payment = None
    line.save(update_fields=["payment"])
    return reversal
