"""Import of bank statements: parse the file, drop what was imported before, and
(unless it is a dry run) store the statement and its lines as a draft."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from keel.core.errors import Conflict
from keel.core.models import Company
from keel.core.transactions import atomic_service
from keel.core.uploads import check_upload

from ..bankformats import BankFileInvalid, ParsedLine, ParsedStatement
from ..bankformats.camt053 import parse_camt053
from ..bankformats.csv_mapping import parse_csv
from ..bankformats.ofx import parse_ofx
from ..models import BankCsvMapping, BankStatement, BankStatementLine, Journal

MAX_BYTES = 20 * 1024 * 1024


class DuplicateStatement(Conflict):
    code = "bank_statement_duplicate"


@dataclass
class ImportResult:
    """What an import found: the new lines, the ones already imported, and (unless a
    dry run) the draft statement created."""

    parsed: ParsedStatement
    new_lines: list[ParsedLine]
    duplicates: list[ParsedLine] = field(default_factory=list)
    statement: BankStatement | None = None


def parse_file(journal: Journal, content: bytes, file_format: str) -> ParsedStatement:
    if not content:
        raise BankFileInvalid("The file is empty.", field="file")
    if file_format in BankStatement.Format.values:
        check_upload(content, file_format, limit=MAX_BYTES)
    if file_format == BankStatement.Format.CAMT053:
        return parse_camt053(content)
    if file_format == BankStatement.Format.OFX:
        return parse_ofx(content)
    if file_format == BankStatement.Format.CSV:
        mapping = BankCsvMapping.objects.filter(journal=journal).first()
        if mapping is None:
            raise BankFileInvalid(
                f"Journal {journal.code} has no CSV mapping yet; save one first.", field="format"
            )
        return parse_csv(content, mapping)
    raise BankFileInvalid(
        f"Unknown format '{file_format}'; use csv, camt053 or ofx.", field="format"
    )


@atomic_service
def import_statement(
    company: Company,
    journal: Journal,
    content: bytes,
    file_format: str,
    *,
    file_name: str = "",
    dry_run: bool = False,
    by=None,
) -> ImportResult:
    """Read a bank file into a draft statement of `journal`; nothing is written on a
    dry run or on any refusal (malformed file, same file again, only known lines)."""
    if journal.company_id != company.pk or journal.kind != Journal.Kind.BANK:
        raise BankFileInvalid("Choose a bank journal of this company.", field="journal")
    digest = hashlib.sha256(content).hexdigest()
    parsed = parse_file(journal, content, file_format)
    for line in parsed.lines:
        if line.amount != line.amount.quantize(line.amount.__class__("0.0001")):
            raise BankFileInvalid(f"Amount {line.amount} has too many decimals.", field="file")
    if BankStatement.objects.filter(journal=journal, file_hash=digest).exists():
        raise DuplicateStatement("This file was imported already.", field="file")
    known = set(
        BankStatementLine.objects.filter(
            journal=journal, unique_id__in=[line.unique_id for line in parsed.lines]
        ).values_list("unique_id", flat=True)
    )
    new = [line for line in parsed.lines if line.unique_id not in known]
    duplicates = [line for line in parsed.lines if line.unique_id in known]
    result = ImportResult(parsed=parsed, new_lines=new, duplicates=duplicates)
    if not new:
        raise DuplicateStatement(
            f"All {len(duplicates)} lines of this file were imported already.", field="file"
        )
    if dry_run:
        return result
    last = max(line.date for line in new)
    statement = BankStatement.objects.create(
        company=company,
        journal=journal,
        name=parsed.name or f"{journal.code} {last.isoformat()}",
        format=file_format,
        file_name=file_name[:255],
        file_hash=digest,
        date=last,
        balance_start=parsed.balance_start,
        balance_end=parsed.balance_end,
        created_by=by if getattr(by, "pk", None) else None,
    )
    BankStatementLine.objects.bulk_create(
        [
            BankStatementLine(
                statement=statement,
                company=company,
                journal=journal,
                sequence=n,
                date=line.date,
                amount=line.amount,
                reference=line.reference[:200],
                counterparty=line.counterparty[:200],
                label=line.label[:300],
                unique_id=line.unique_id[:128],
            )
            for n, line in enumerate(new, start=1)
        ],
        batch_size=1000,
    )
    result.statement = statement
    return result
