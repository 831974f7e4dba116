"""OFX bank statements: 1.x (SGML, closing tags optional) and 2.x (XML).

Both are read the same way: the transactions are the <STMTTRN> blocks and each
field is a tag followed by its value, up to the next tag.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from . import BankFileInvalid, ParsedLine, ParsedStatement, fill_unique_ids

FIELD = re.compile(r"<([A-Z0-9.]+)>([^<\r\n]*)")
BLOCK = re.compile(r"<STMTTRN>(.*?)(?:</STMTTRN>|(?=<STMTTRN>)|(?=</BANKTRANLIST>))", re.S)


def _fields(block: str) -> dict[str, str]:
    return {tag: value.strip() for tag, value in FIELD.findall(block) if value.strip()}


def _date(text: str, where: str) -> dt.date:
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError as error:
        raise BankFileInvalid(f"{where}: date '{text}' is not YYYYMMDD.", field="file") from error


def _amount(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as error:
        raise BankFileInvalid(f"{where}: amount '{text}' is invalid.", field="file") from error
    if not value.is_finite():
        raise BankFileInvalid(f"{where}: amount '{text}' is invalid.", field="file")
    return value


def parse_ofx(content: bytes) -> ParsedStatement:
    text = (
        content.decode("utf-8", errors="replace")
        if b"UTF-8" in content[:400].upper()
        else content.decode("latin-1")
    )
    upper = text.upper()
    if "<OFX>" not in upper or "<BANKTRANLIST>" not in upper:
        raise BankFileInvalid(
            "Not an OFX bank statement (no <OFX> or <BANKTRANLIST>).", field="file"
        )
    parsed = ParsedStatement()
    for number, block in enumerate(BLOCK.findall(text), start=1):
        where = f"Transaction {number}"
        fields = _fields(block)
        if "DTPOSTED" not in fields or "TRNAMT" not in fields:
            raise BankFileInvalid(f"{where}: DTPOSTED and TRNAMT are required.", field="file")
        parsed.lines.append(
            ParsedLine(
                date=_date(fields["DTPOSTED"], where),
                amount=_amount(fields["TRNAMT"], where),
                reference=fields.get("CHECKNUM") or fields.get("REFNUM", ""),
                counterparty=fields.get("NAME", ""),
                label=fields.get("MEMO", ""),
                unique_id=fields.get("FITID", ""),
            )
        )
    if not parsed.lines:
        raise BankFileInvalid("The OFX file has no transactions (<STMTTRN>).", field="file")
    ledger = re.search(r"<LEDGERBAL>(.*?)(?:</LEDGERBAL>|$)", text, re.S)
    if ledger:
        balance = _fields(ledger.group(1)).get("BALAMT")
        parsed.balance_end = _amount(balance, "Ledger balance") if balance else None
    fill_unique_ids(parsed.lines)
    return parsed
