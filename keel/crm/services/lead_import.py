"""Import leads from CSV or XLSX: a dry run that reports each bad row, then the real
import in batches (bulk inserts, set-based assignment and scoring) with a progress record.

The file is read with django-import-export's formats (tablib); rows are checked here
rather than through a ModelResource, whose per-row save and FK look-ups cannot reach
thousands of rows a second.
"""

from __future__ import annotations

from pathlib import Path

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX

from keel.core.bulk_insert import columns, insert_returning_ids, insert_rows, prepare
from keel.core.errors import InvalidInput
from keel.core.events import publish
from keel.core.transactions import atomic_service
from keel.core.uploads import read_upload
from keel.parties.models import Industry, Region

from ..events import LeadsImported
from ..models import Lead, LeadImport
from ..selectors_leads import (
    duplicate_index,
    duplicate_reasons,
    regions_by_country,
    scoring_rules,
)
from .assignment import choose_owners
from .scoring import evaluate

BATCH_SIZE = 5000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_REPORTED = 5000  # errors and warnings kept on the record; the counts stay exact

# Accepted column headings (lower case, spaces as underscores) for each lead field.
ALIASES = {
    "first_name": ["first_name", "firstname", "first", "given_name"],
    "last_name": ["last_name", "lastname", "last", "surname", "family_name"],
    "organisation_name": [
        "organisation_name",
        "organization_name",
        "organisation",
        "organization",
        "company",
        "company_name",
        "account",
    ],
    "job_title": ["job_title", "title", "position"],
    "email": ["email", "e_mail", "email_address", "e_mail_address"],
    "phone": ["phone", "telephone", "phone_number"],
    "website": ["website", "web", "url", "site"],
    "country": ["country", "country_code"],
    "region": ["region", "territory"],
    "industry": ["industry", "sector"],
    "employees": ["employees", "employee_count", "headcount"],
    "message": ["message", "notes", "note", "comment"],
    "utm_source": ["utm_source"],
    "utm_medium": ["utm_medium"],
    "utm_campaign": ["utm_campaign"],
}
HEADING = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
_email = validators.EmailValidator()
_url = validators.URLValidator()
_MAX_LENGTH_MESSAGE = validators.MaxLengthValidator.message


def _max_lengths() -> dict[str, int]:
    return {
        f.name: f.max_length
        for f in Lead._meta.get_fields()
        if getattr(f, "max_length", None) and f.name in ALIASES
    }


def detect_format(file_name: str, format: str | None = None) -> str:
    chosen = (format or Path(file_name or "").suffix.lstrip(".")).lower()
    if chosen not in LeadImport.Format.values:
        raise InvalidInput("Upload a .csv or .xlsx file.", field="format")
    return chosen


@atomic_service
def prepare_import(
    file,
    *,
    format: str | None = None,
    dry_run: bool = True,
    by=None,
    company=None,
    file_name: str = "",
) -> LeadImport:
    """A waiting import record holding the uploaded file (bytes or an uploaded file)."""
    name = file_name or getattr(file, "name", "") or ""
    chosen = detect_format(name, format)
    content = read_upload(file, chosen, limit=MAX_FILE_BYTES)
    company = company or by.company
    return LeadImport.objects.create(
        company=company,
        file_name=Path(name).name[:200],
        format=chosen,
        content=content,
        dry_run=dry_run,
        created_by=by,
        updated_by=by,
    )


def import_leads(
    file, format: str | None = None, dry_run: bool = True, by=None, *, company=None, now=None
) -> LeadImport:
    """Check (and unless `dry_run`, create) the leads of a CSV/XLSX file, in this process."""
    record = prepare_import(file, format=format, dry_run=dry_run, by=by, company=company)
    return run_import(record.pk, now=now)


def _dataset(record: LeadImport):
    fmt = CSV() if record.format == LeadImport.Format.CSV else XLSX()
    content = bytes(record.content)
    if record.format == LeadImport.Format.CSV:
        content = content.decode("utf-8-sig")
    return fmt.create_dataset(content)


class _RowChecker:
    """Turns one row into Lead field values, or says what is wrong with it."""

    def __init__(self, company, headers: list[str]):
        self.columns = []
        for index, heading in enumerate(headers):
            key = str(heading or "").strip().lower().replace(" ", "_").replace("-", "_")
            if key in HEADING:
                self.columns.append((index, HEADING[key]))
        self.max_lengths = _max_lengths()
        regions = list(Region.objects.filter(company=company).only("id", "name"))
        self._region_by_id = {r.pk: r for r in regions}
        self.regions = {r.name.lower(): r for r in regions}
        self.by_country = {
            code: self._region_by_id[rid]
            for code, rid in regions_by_country(company).items()
            if rid in self._region_by_id
        }
        self.industries = {
            i.name.lower(): i for i in Industry.objects.filter(company=company).only("id", "name")
        }

    def check(self, row) -> tuple[dict, list[tuple[str, str]]]:
        values: dict = {}
        problems: list[tuple[str, str]] = []
        for index, name in self.columns:
            raw = row[index] if index < len(row) else None
            text = "" if raw is None else str(raw).strip()
            if not text:
                continue
            limit = self.max_lengths.get(name)
            if limit and len(text) > limit:
                problems.append(
                    (name, _MAX_LENGTH_MESSAGE % {"limit_value": limit, "show_value": len(text)})
                )
                continue
            try:
                values[name] = self._convert(name, text, raw)
            except ValidationError as error:
                problems.append((name, error.messages[0]))
        if not problems and not any(
            values.get(k) for k in ("email", "first_name", "last_name", "organisation_name")
        ):
            problems.append(("email", "Give at least an e-mail address or a name."))
        if "region" not in values and values.get("country") in self.by_country:
            values["region"] = self.by_country[values["country"]]
        return values, problems

    def _convert(self, name: str, text: str, raw):
        if name == "email":
            text = text.lower()
            _email(text)
        elif name == "website":
            _url(text if "//" in text else f"https://{text}")
            text = text if "//" in text else f"https://{text}"
        elif name == "country":
            text = text.upper()
        elif name == "employees":
            try:
                number = int(float(raw)) if isinstance(raw, float) else int(text)
            except ValueError:
                raise ValidationError("Enter a whole number.") from None
            if number < 0:
                raise ValidationError("Enter a whole number of 0 or more.")
            return number
        elif name in ("region", "industry"):
            found = (self.regions if name == "region" else self.industries).get(text.lower())
            if found is None:
                raise ValidationError(f"No {name} is called '{text}'.")
            return found
        return text


def _fail(record: LeadImport, why: str) -> LeadImport:
    record.status, record.failure, record.finished_at = (
        LeadImport.Status.FAILED,
        why,
        timezone.now(),
    )
    record.save(update_fields=["status", "failure", "finished_at"])
    return record


PROGRESS_FIELDS = [
    "status",
    "total",
    "processed",
    "created_count",
    "error_count",
    "errors",
    "warnings",
    "finished_at",
]


def run_import(import_id: int, *, now=None, batch_size: int = BATCH_SIZE) -> LeadImport:
    """Check every row, and in a real run create the good ones batch by batch; each batch
    commits with its progress so another request can show how far it got. Bad rows are
    reported (row number, field, reason) and skipped; nothing is written in a dry run."""
    now = now or timezone.now()
    record = LeadImport.objects.get(pk=import_id)
    if record.status != LeadImport.Status.PENDING:
        return record  # a replayed task: it ran already
    record.status = LeadImport.Status.RUNNING
    record.save(update_fields=["status"])
    try:
        dataset = _dataset(record)
    except Exception as error:  # any parser error means the file is not what it claims
        return _fail(record, f"The file could not be read as {record.format.upper()}: {error}")
    checker = _RowChecker(record.company, list(dataset.headers or []))
    if not checker.columns:
        return _fail(
            record,
            "The file has none of the lead columns; name them first_name, last_name, "
            "organisation_name, email, phone, website, country, region, industry, employees…",
        )
    record.total = len(dataset)
    record.save(update_fields=["total"])
    rules = scoring_rules(record.company)
    seen: dict[str, int] = {}
    rows = dataset._data  # tablib rows; iterating them directly avoids a copy per row
    for start in range(0, len(rows), batch_size):
        _run_batch(record, checker, rules, rows[start : start + batch_size], start, seen, now)
    record.status, record.finished_at = LeadImport.Status.DONE, timezone.now()
    record.save(update_fields=["status", "finished_at"])
    if not record.dry_run and record.created_count:
        publish(
            LeadsImported(import_id=record.pk, created=record.created_count), company=record.company
        )
    return record


def _template(record: LeadImport, now) -> dict:
    """Every column of a new imported lead with its default, keyed by attname."""
    lead = Lead(
        company=record.company,
        source=Lead.Source.IMPORT,
        created_by=record.created_by,
        updated_by=record.created_by,
        created_at=now,
        updated_at=now,
        scored_at=now,
    )
    values = {f.attname: getattr(lead, f.attname) for f in columns(Lead)}
    values.update(region=None, industry=None)  # names, for the scoring rules
    return values


def _run_batch(record, checker, rules, rows, start, seen, now) -> None:
    template = _template(record, now)
    leads, lines = [], []
    for offset, row in enumerate(rows):
        line = start + offset + 2  # the heading is line 1
        cells = row.tuple if hasattr(row, "tuple") else tuple(row)
        if not any(cell not in (None, "") for cell in cells):
            continue
        values, problems = checker.check(cells)
        if problems:
            record.error_count += 1
            if len(record.errors) < MAX_REPORTED:
                record.errors.append(
                    {
                        "row": line,
                        "field": problems[0][0],
                        "message": "; ".join(f"{field}: {message}" for field, message in problems),
                    }
                )
            continue
        lead = dict(template)
        lead.update(values)
        for name in ("region", "industry"):
            if name in values:
                lead[f"{name}_id"], lead[name] = values[name].pk, values[name].name
        leads.append(lead)
        lines.append(line)
    _warn_duplicates(record, leads, lines, seen)
    record.processed += len(rows)
    if record.dry_run:
        record.save(update_fields=PROGRESS_FIELDS)
        return
    with transaction.atomic():
        owners = choose_owners(record.company, [lead["region_id"] for lead in leads])
        for lead, owner in zip(leads, owners, strict=True):
            lead["owner_id"] = owner
            lead["score"], lead["score_breakdown"] = evaluate(rules, lead, [], now)
        _insert_with_history(leads, record.created_by, now)
        record.created_count += len(leads)
        record.save(update_fields=PROGRESS_FIELDS)


def _warn_duplicates(record, leads: list[dict], lines: list[int], seen: dict) -> None:
    index = duplicate_index(
        record.company, [d["email"] for d in leads], [d["organisation_name"] for d in leads]
    )
    for line, lead in zip(lines, leads, strict=True):
        email = lead["email"]
        reasons = duplicate_reasons(index, email, lead["organisation_name"], lead["website"])
        if email:
            if email in seen:
                reasons.append(f"same e-mail as line {seen[email]}")
            else:
                seen[email] = line
        if reasons and len(record.warnings) < MAX_REPORTED:
            record.warnings.append(
                {"row": line, "message": "Possible duplicate: " + "; ".join(reasons)}
            )


def _insert_with_history(leads: list[dict], by, now) -> None:
    """The leads and their first history rows ("+", by the importer), as
    bulk_create_with_history would write them, at the speed of the database."""
    if not leads:
        return
    fields = columns(Lead)
    rows = prepare(leads, fields)
    ids = insert_returning_ids(Lead, fields, rows)
    history = Lead.history.model
    history_fields = columns(history)
    at = {f.attname: i for i, f in enumerate(fields)}
    date_field = history._meta.get_field("history_date")
    extra = {
        "history_date": date_field.get_db_prep_save(now, connection),
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": by.pk if by is not None else None,
    }
    plan = [(at.get(f.attname), extra.get(f.attname)) for f in history_fields]
    pk_slot = [f.attname for f in history_fields].index("id")
    history_rows = []
    for lead_id, row in zip(ids, rows, strict=True):
        out = [row[i] if i is not None else value for i, value in plan]
        out[pk_slot] = lead_id
        history_rows.append(out)
    insert_rows(history, history_fields, history_rows)


def retry_for_real(import_id: int, *, by=None) -> LeadImport:
    """A new, real import of the file a dry run checked."""
    checked = LeadImport.objects.get(pk=import_id)
    return prepare_import(
        bytes(checked.content),
        format=checked.format,
        dry_run=False,
        by=by,
        company=checked.company,
        file_name=checked.file_name,
    )
