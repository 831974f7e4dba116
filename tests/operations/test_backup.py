"""`keel backup` and `keel restore`: a company's books, stock and uploaded files go into
one archive and come back exactly, every table's checksum and the hash chain intact."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from keel.accounting.models import JournalEntry
from keel.accounting.selectors import first_broken_link
from keel.accounting.services.payments import register_payment
from keel.accounting.tests.factories import books, invoice, party
from keel.core.backup import database_checksums, read_manifest
from keel.core.models import Company
from keel.core.tests.databases import throwaway_database
from keel.core.tests.factories import CompanyFactory
from keel.core.tests.invariants import assert_invariants_hold
from keel.inventory.tests.factories import deliver, product, receive, warehouse

MAY_4 = dt.date(2026, 5, 4)


# The manifest names the newest migration applied: the newest file in the folder.
ACCOUNTING_MIGRATIONS = Path(__file__).resolve().parents[2] / "keel/accounting/migrations"


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def a_trading_company() -> Company:
    """Acme's books: an invoice of 100.00 to Globex, 40.00 paid; 5 gears received at
    2.50 and 2 delivered."""
    company = CompanyFactory()
    books(company)
    globex = party(company, "Globex")
    document = invoice(company, globex)
    register_payment(company, party=globex, amount="40.00", date=MAY_4, invoices=[document.pk])
    wh = warehouse(company)
    gear = product(company, name="Gear", sku="GEAR")
    receive(wh, gear, 5, unit_cost="2.50")
    deliver(wh, gear, 2)
    return company


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """MEDIA_ROOT with one uploaded file (an attachment to a bill)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = settings.MEDIA_ROOT / "attachments" / "bill-0001.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.7 the vendor's bill")
    return settings.MEDIA_ROOT


def round_trip(tmp_path: Path, settings, media: Path) -> None:
    """Given a trading company and an uploaded file; When it is backed up and restored
    into an empty database and an empty MEDIA_ROOT; Then every table has the same rows
    (checksums), the file is back, the hash chain verifies and `keel check` is clean."""
    # Given
    company = a_trading_company()
    entries = JournalEntry.objects.filter(company=company).count()
    before = database_checksums()
    archive = tmp_path / "keel.tar"
    # When backed up
    code, output = run("backup", str(archive))
    assert code == 0, output
    saved = read_manifest(archive)
    assert saved["tables"] == before
    assert saved["tables"]["accounting_journalentry"]["rows"] == entries == 4
    newest = sorted(p.stem for p in ACCOUNTING_MIGRATIONS.glob("0*.py"))[-1]
    assert saved["migrations"]["accounting"][-1] == newest
    assert (saved["keel_version"], saved["vendor"], saved["media_files"]) == (
        "0.1.0",
        connection.vendor,
        1,
    )
    # And restored into an empty database and media folder
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with throwaway_database(tmp_path):
        code, output = run("restore", str(archive))
        assert code == 0, output
        rows = sum(table["rows"] for table in before.values())
        assert output == (
            f"Restored {len(before)} tables ({rows} rows) and 1 uploaded file(s); "
            "every table matches the manifest.\n"
        )
        # Then
        assert database_checksums() == before
        assert first_broken_link(company.pk) == (None, entries)
        assert_invariants_hold(company)
        restored_file = settings.MEDIA_ROOT / "attachments" / "bill-0001.pdf"
        assert restored_file.read_bytes() == b"%PDF-1.7 the vendor's bill"


@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_comes_back_exactly(tmp_path, settings, media):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite engine's round trip")
    round_trip(tmp_path, settings, media)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_comes_back_exactly(tmp_path, settings, media):
    round_trip(tmp_path, settings, media)


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_database_that_holds_data_and_changes_nothing(
    tmp_path, settings, media
):
    """Given a backup and a database that holds a company; When it is restored there
    without --force; Then it is refused with what to do, and no table changed."""
    a_trading_company()
    archive = tmp_path / "keel.tar"
    assert run("backup", str(archive))[0] == 0
    CompanyFactory(name="Newer Co")  # written after the backup
    before = database_checksums()
    code, output = run("restore", str(archive))
    assert code == 1
    assert "The database already holds" in output
    assert "restore into an empty database, or pass --force to replace what it holds" in output
    assert database_checksums() == before


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_media_folder_that_holds_files(tmp_path, settings, media):
    """Given a backup; When restored into an empty database but a MEDIA_ROOT that
    already holds files; Then it is refused and the database stays empty."""
    CompanyFactory()
    archive = tmp_path / "keel.tar"
    assert run("backup", str(archive))[0] == 0
    with throwaway_database(tmp_path):
        code, output = run("restore", str(archive))
        assert code == 1
        assert f"{media} already holds files: restore into an empty folder" in output
        assert database_checksums() == {}


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    """When `keel restore` is given a missing file; Then it says so (exit 1)."""
    code, output = run("restore", str(tmp_path / "nothing.tar"))
    assert (code, output) == (1, f"No backup archive at {tmp_path / 'nothing.tar'}.")
