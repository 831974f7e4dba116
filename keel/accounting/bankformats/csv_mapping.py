"""CSV exports read through a saved column mapping (BankCsvMapping)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from . import BankFileInvalid, ParsedLine, ParsedStatement, fill_unique_ids


def _decimal(text: str, mapping, where: str) -> Decimal:
    raw = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if mapping.thousands_separator:
        raw = raw.replace(mapping.thousands_separator, "")
    if mapping.decimal_separator != ".":
        raw = raw.replace(mapping.decimal_separator, ".")
    if not raw:
        return Decimal(0)
    try:
        value = Decimal(raw)
    except InvalidOperation as error:
        raise BankFileInvalid(f"{where}: '{text}' is not an amount.", field="file") from error
    if not value.is_finite():
        raise BankFileInvalid(f"{where}: '{text}' is not an amount.", field="file")
    return value


def parse_csv(content: bytes, mapping) -> ParsedStatement:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    reader = csv.DictReader(io.StringIO(text), delimiter=mapping.delimiter or ",")
    headers = set(reader.fieldnames or [])
    needed = [mapping.date_column]
    if mapping.amount_column:
        needed.append(mapping.amount_column)
    else:
        needed += [c for c in (mapping.debit_column, mapping.credit_column) if c]
    optional = [mapping.reference_column, mapping.counterparty_column, mapping.label_column]
    missing = [c for c in needed + [c for c in optional if c] if c not in headers]
    if missing:
        raise BankFileInvalid(
            f"The CSV lacks the column(s) {', '.join(missing)} of the saved mapping; "
            f"its columns are {', '.join(sorted(headers)) or 'none'}.",
            field="file",
        )
    lines = []
    for number, row in enumerate(reader, start=2):
        where = f"Line {number}"
        try:
            day = dt.datetime.strptime(
                (row.get(mapping.date_column) or "").strip(), mapping.date_format
            ).date()
        except ValueError as error:
            raise BankFileInvalid(
                f"{where}: date '{row.get(mapping.date_column)}' does not match "
                f"{mapping.date_format}.",
                field="file",
            ) from error
        if mapping.amount_column:
            amount = _decimal(row[mapping.amount_column], mapping, where)
        else:
            money_in = (
                _decimal(row.get(mapping.credit_column, ""), mapping, where)
                if mapping.credit_column
                else Decimal(0)
            )
            money_out = (
                _decimal(row.get(mapping.debit_column, ""), mapping, where)
                if mapping.debit_column
                else Decimal(0)
            )
            amount = money_in - abs(money_out)
        lines.append(
            ParsedLine(
                date=day,
                amount=amount,
                reference=(row.get(mapping.reference_column) or "").strip()
                if mapping.reference_column
                else "",
                counterparty=(row.get(mapping.counterparty_column) or "").strip()
                if mapping.counterparty_column
                else "",
                label=(row.get(mapping.label_column) or "").strip() if mapping.label_column else "",
                unique_id=(row.get(mapping.id_column) or "").strip() if mapping.id_column else "",
            )
        )
    fill_unique_ids(lines)
    return ParsedStatement(lines=lines)
