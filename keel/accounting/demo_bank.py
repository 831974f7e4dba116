"""Last month's bank statement, as the bank would send it: a CAMT.053 file with every
movement the demo booked in the bank journal that month, plus what the books do not
know yet (the bank's fee and interest, a card payment, and a customer's transfer
for an overdue invoice). It is imported, the known lines are matched with their
payments, and it is confirmed: the unknown ones wait in suspense to be matched."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 (we write the file, we do not parse it)
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from .models import BankStatement, Invoice, JournalEntry, JournalLine, Payment
from .services.bank import confirm_statement
from .services.bank_entries import bank_account_id, match_line_with_entry
from .services.bank_import import import_statement

if TYPE_CHECKING:
    from .demo import Books

D = Decimal
ZERO = D(0)
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
BANK = "Keystone Bank"


@dataclass
class Movement:
    date: dt.date
    amount: Decimal
    counterparty: str
    label: str
    reference: str = ""
    entry_id: int | None = None  # the posted entry it matches, if the books know it


def _booked(company, journal, account_id: int, first: dt.date, last: dt.date) -> list[Movement]:
    """The bank journal's movements between `first` and `last`, payments named."""
    entries = JournalEntry.objects.filter(
        company=company, journal=journal, date__range=(first, last)
    ).order_by("date", "id")
    payments = {
        p.entry_id: p for p in Payment.objects.filter(entry__in=entries).select_related("party")
    }
    moved = {
        row["entry_id"]: row["d"] - row["c"]
        for row in JournalLine.objects.filter(entry__in=entries, account_id=account_id)
        .values("entry_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    }
    movements = []
    for entry in entries:
        payment = payments.get(entry.pk)
        amount = moved.get(entry.pk, ZERO)
        if not amount:
            continue
        if payment is None:
            movements.append(Movement(entry.date, amount, "", entry.ref, entry_id=entry.pk))
        else:
            label = f"{'Payment' if amount > 0 else 'Transfer'} {payment.memo}".strip()
            movements.append(
                Movement(entry.date, amount, payment.party.name, label, payment.memo, entry.pk)
            )
    return movements


def _unknown(company, first: dt.date, last: dt.date) -> list[Movement]:
    """What the bank reports that nobody booked yet."""
    unknown = [
        Movement(first + dt.timedelta(days=13), D("-86.40"), "Office Depot #1187", "Card 4921"),
        Movement(last, D("-35.00"), BANK, "Account maintenance fee"),
        Movement(last, D("6.18"), BANK, "Interest"),
    ]
    overdue = (
        Invoice.objects.filter(
            company=company,
            kind=Invoice.Kind.CUSTOMER_INVOICE,
            status=Invoice.Status.POSTED,
            payment_status=Invoice.PaymentStatus.NOT_PAID,
            currency=company.currency,
            due_date__lt=first,
        )
        .select_related("party")
        .order_by("date", "id")
        .first()
    )
    if overdue is not None:
        unknown.append(
            Movement(
                first + dt.timedelta(days=20),
                overdue.amount_total,
                overdue.party.name,
                f"Payment {overdue.number}",
                overdue.number,
            )
        )
    return unknown


def _amount(parent, amount: Decimal, currency: str) -> None:
    ET.SubElement(parent, "Amt", Ccy=currency).text = f"{abs(amount):.2f}"
    ET.SubElement(parent, "CdtDbtInd").text = "CRDT" if amount >= 0 else "DBIT"


def _balance(statement, code: str, amount: Decimal, day: dt.date, currency: str) -> None:
    balance = ET.SubElement(statement, "Bal")
    ET.SubElement(ET.SubElement(ET.SubElement(balance, "Tp"), "CdOrPrtry"), "Cd").text = code
    _amount(balance, amount, currency)
    ET.SubElement(ET.SubElement(balance, "Dt"), "Dt").text = day.isoformat()


def camt053(name: str, movements: list[Movement], opening: Decimal, currency: str, last) -> bytes:
    """The statement as a CAMT.053 document."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}Document")
    message = ET.SubElement(root, "BkToCstmrStmt")
    header = ET.SubElement(message, "GrpHdr")
    ET.SubElement(header, "MsgId").text = name
    ET.SubElement(header, "CreDtTm").text = f"{last.isoformat()}T23:00:00"
    statement = ET.SubElement(message, "Stmt")
    ET.SubElement(statement, "Id").text = name
    first = min(m.date for m in movements)
    closing = opening + sum((m.amount for m in movements), ZERO)
    _balance(statement, "OPBD", opening, first, currency)
    _balance(statement, "CLBD", closing, last, currency)
    for number, movement in enumerate(movements, 1):
        entry = ET.SubElement(statement, "Ntry")
        _amount(entry, movement.amount, currency)
        ET.SubElement(ET.SubElement(entry, "BookgDt"), "Dt").text = movement.date.isoformat()
        ET.SubElement(entry, "AcctSvcrRef").text = f"{name}-{number:04d}"
        details = ET.SubElement(ET.SubElement(entry, "NtryDtls"), "TxDtls")
        if movement.reference:
            refs = ET.SubElement(details, "Refs")
            ET.SubElement(refs, "EndToEndId").text = movement.reference
        if movement.counterparty:
            side = "Cdtr" if movement.amount < 0 else "Dbtr"
            party = ET.SubElement(ET.SubElement(details, "RltdPties"), side)
            ET.SubElement(party, "Nm").text = movement.counterparty
        ET.SubElement(ET.SubElement(details, "RmtInf"), "Ustrd").text = movement.label
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def load(books: Books) -> None:
    company, journal = books.company, books.journals["BNK"]
    last = books.today.replace(day=1) - dt.timedelta(days=1)
    first = last.replace(day=1)
    account_id = bank_account_id(journal)
    sums = JournalLine.objects.filter(
        company=company, account_id=account_id, date__lt=first
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    opening = (sums["d"] or ZERO) - (sums["c"] or ZERO)
    movements = _booked(company, journal, account_id, first, last) + _unknown(company, first, last)
    movements.sort(key=lambda m: m.date)  # stable: the books' order within a day
    name = f"KB-{first:%Y-%m}"
    content = camt053(name, movements, opening, company.currency, last)
    statement = import_statement(
        company, journal, content, BankStatement.Format.CAMT053, file_name=f"{name}.xml"
    ).statement
    lines = statement.lines.order_by("sequence")
    for line, movement in zip(lines, movements, strict=True):
        if movement.entry_id:
            match_line_with_entry(line.pk, movement.entry_id)
    confirm_statement(statement)
