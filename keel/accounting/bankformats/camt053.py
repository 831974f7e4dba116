"""ISO 20022 CAMT.053 (bank-to-customer statement), any version of the namespace.

Read with the standard library through keel.core.safexml: a document type or entity
declaration is refused outright (a bank file never has one, and it is how entity
expansion and external-entity attacks arrive).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError  # noqa: S405 (the error class only)

from keel.core import safexml

from . import BankFileInvalid, ParsedLine, ParsedStatement, fill_unique_ids


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node, *path):
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if _local(c.tag) == name), None)
    return node


def _children(node, name):
    return [c for c in node if _local(c.tag) == name] if node is not None else []


def _text(node, *path) -> str:
    found = _child(node, *path)
    return (found.text or "").strip() if found is not None and found.text else ""


def _amount(node, where: str) -> Decimal:
    amount = _child(node, "Amt")
    try:
        value = Decimal((amount.text or "").strip()) if amount is not None else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise BankFileInvalid(f"{where}: missing or invalid <Amt>.", field="file")
    sign = _text(node, "CdtDbtInd")
    if sign not in ("CRDT", "DBIT"):
        raise BankFileInvalid(f"{where}: <CdtDbtInd> must be CRDT or DBIT.", field="file")
    return value if sign == "CRDT" else -value


def _date(node, where: str) -> dt.date:
    text = _text(node, "BookgDt", "Dt") or _text(node, "BookgDt", "DtTm")[:10]
    text = text or _text(node, "ValDt", "Dt") or _text(node, "Dt", "Dt")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as error:
        raise BankFileInvalid(f"{where}: missing or invalid booking date.", field="file") from error


def parse_camt053(content: bytes) -> ParsedStatement:
    try:
        root = safexml.fromstring(content)
    except safexml.DeclarationRefused as error:
        raise BankFileInvalid(
            "CAMT files must not declare a DTD or entities (<!DOCTYPE>, <!ENTITY>).",
            field="file",
        ) from error
    except ParseError as error:
        raise BankFileInvalid(f"Not well-formed XML: {error}.", field="file") from error
    if _local(root.tag) != "Document" or "camt.053" not in root.tag:
        raise BankFileInvalid(
            "Not a CAMT.053 document (expected <Document> in a camt.053 namespace).",
            field="file",
        )
    statement = _child(root, "BkToCstmrStmt", "Stmt")
    if statement is None:
        raise BankFileInvalid("No <BkToCstmrStmt><Stmt> in the file.", field="file")
    parsed = ParsedStatement(name=_text(statement, "Id"))
    for balance in _children(statement, "Bal"):
        code = _text(balance, "Tp", "CdOrPrtry", "Cd")
        if code in ("OPBD", "CLBD"):
            value = _amount(balance, f"Balance {code}")
            if code == "OPBD":
                parsed.balance_start = value
            else:
                parsed.balance_end = value
    for number, entry in enumerate(_children(statement, "Ntry"), start=1):
        where = f"Entry {number}"
        details = _child(entry, "NtryDtls", "TxDtls")
        debit = _text(entry, "CdtDbtInd") == "DBIT"
        party_path = ("RltdPties", "Cdtr" if debit else "Dbtr")
        counterparty = _text(details, *party_path, "Nm") or _text(details, *party_path, "Pty", "Nm")
        reference = (
            _text(details, "RmtInf", "Strd", "CdtrRefInf", "Ref")
            or _text(details, "Refs", "EndToEndId")
            or _text(entry, "NtryRef")
        )
        if reference == "NOTPROVIDED":
            reference = ""
        parsed.lines.append(
            ParsedLine(
                date=_date(entry, where),
                amount=_amount(entry, where),
                reference=reference,
                counterparty=counterparty,
                label=_text(details, "RmtInf", "Ustrd") or _text(entry, "AddtlNtryInf"),
                unique_id=_text(entry, "AcctSvcrRef") or _text(details, "Refs", "AcctSvcrRef"),
            )
        )
    if not parsed.lines:
        raise BankFileInvalid("The statement has no entries (<Ntry>).", field="file")
    fill_unique_ids(parsed.lines)
    return parsed
