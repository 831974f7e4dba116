"""Backups: one tar archive holding the database, the uploaded files and a manifest.

The database is copied consistently while Keel keeps running: SQLite through its
online backup API, PostgreSQL with `pg_dump` (custom format) inside a snapshot. The
manifest names the Keel version, the applied migrations and, per table, the row
count and a checksum of every row, so a restore proves it brought back exactly what
was saved.

    manifest.json         what the archive holds (see `manifest`)
    database.sqlite3      or database.dump (pg_restore's custom format)
    media/...             MEDIA_ROOT, the uploaded files
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from .errors import DomainError

MANIFEST = "manifest.json"
FORMAT = 1  # of the archive; a restore refuses a format it does not know


class BackupRefused(DomainError):
    code = "backup_refused"
    status = 409


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    media_files: int


# --- what a database holds ---------------------------------------------------------


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def _vendor_of(cursor) -> str:
    return "sqlite" if isinstance(cursor, sqlite3.Cursor) else "postgresql"


def _text(value) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return "\\N" if value is None else str(value)


def table_checksums(cursor, vendor: str) -> dict[str, dict]:
    """Per table, the number of rows and a SHA-256 of all of them, read in a fixed order
    (every column, ascending), so the same rows give the same checksum."""
    found = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608 (a table name we read)
        columns = len(cursor.description)
        order = ", ".join(str(n) for n in range(1, columns + 1))
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY {order}')  # noqa: S608
        digest, rows = hashlib.sha256(), 0
        while batch := cursor.fetchmany(5000):
            for row in batch:
                digest.update("\x1f".join(map(_text, row)).encode() + b"\x1e")
            rows += len(batch)
        found[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return found


def _migrations(cursor) -> dict[str, list[str]]:
    """The migrations applied, per app (none in a database never migrated)."""
    if "django_migrations" not in _tables(cursor, _vendor_of(cursor)):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def manifest(cursor, vendor: str, media_files: int) -> dict:
    """What an archive promises: Keel's version, the migrations applied, every
    table's row count and checksum, and how many uploaded files it carries."""
    return {
        "format": FORMAT,
        "keel_version": importlib.metadata.version("keel"),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "migrations": _migrations(cursor),
        "tables": table_checksums(cursor, vendor),
        "media_files": media_files,
    }


# --- the two engines ------------------------------------------------------------------


def _pg_env(params: dict) -> dict:
    """libpq's environment for `pg_dump`/`pg_restore` from Django's connection settings."""
    env = dict(os.environ)
    for key, name in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
        ("dbname", "PGDATABASE"),
    ):
        if params.get(key):
            env[name] = str(params[key])
    return env


def pg_params(using: str = "default") -> dict:
    """psycopg's connection keywords for the database `using` names (Django's own
    cursor and adapter settings left out)."""
    params = connections[using].get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


def _pg_connect(using: str):
    import psycopg

    params = pg_params(using)
    return psycopg.connect(**params, autocommit=False), params


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupRefused(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _dump_postgres(using: str, target: Path) -> dict:
    """pg_dump in the snapshot the manifest is computed in (both see the same rows)."""
    conn, params = _pg_connect(using)
    with closing(conn), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(target)], _pg_env(params))
        return manifest(cursor, "postgresql", 0)


def _copy_sqlite(using: str, target: Path) -> dict:
    """SQLite's online backup: a consistent copy while others keep writing."""
    source = connections[using]
    source.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        source.connection.backup(copy)
        return manifest(copy.cursor(), "sqlite", 0)


# --- backup ---------------------------------------------------------------------------


def _media_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def backup(archive: Path | str, *, using: str = "default") -> dict:
    """Write the database and MEDIA_ROOT to `archive` (a tar file); return the manifest."""
    archive = Path(archive)
    vendor = connections[using].vendor
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        name = "database.dump" if vendor == "postgresql" else "database.sqlite3"
        database = Path(work) / name
        if vendor == "postgresql":
            found = _dump_postgres(using, database)
        elif vendor == "sqlite":
            found = _copy_sqlite(using, database)
        else:
            raise BackupRefused(f"Backups support SQLite and PostgreSQL, not {vendor}.")
        files = _media_files(media_root)
        found["media_files"] = len(files)
        found["database_file"] = name
        body = json.dumps(found, indent=2, sort_keys=True).encode()
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(database, arcname=name)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        partial.replace(archive)  # never a half-written archive under the real name
    return found


# --- restore --------------------------------------------------------------------------


@contextmanager
def _unpacked(archive: Path):
    if not archive.is_file():
        raise BackupRefused(f"No backup archive at {archive}.")
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
        try:
            saved = json.loads((Path(work) / MANIFEST).read_text())
        except FileNotFoundError:
            raise BackupRefused(f"{archive} is not a Keel backup: it has no manifest.") from None
        if saved.get("format") != FORMAT:
            raise BackupRefused(f"{archive} is a backup of format {saved.get('format')}.")
        yield Path(work), saved


def _sqlite_path(using: str) -> Path:
    return Path(connections[using].settings_dict["NAME"])


def _target_tables(using: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        path = _sqlite_path(using)
        if not path.exists():
            return []
        with closing(sqlite3.connect(path)) as db:
            return _tables(db.cursor(), vendor)
    conn, _ = _pg_connect(using)
    with closing(conn), conn.cursor() as cursor:
        return _tables(cursor, vendor)


def database_checksums(using: str = "default") -> dict[str, dict]:
    """Every table's row count and checksum, read as a backup reads them (committed rows,
    through a connection of its own)."""
    return _target_checksums(using, connections[using].vendor)[0]


def _target_checksums(using: str, vendor: str) -> tuple[dict, dict]:
    if vendor == "sqlite":
        with closing(sqlite3.connect(_sqlite_path(using))) as db:
            return table_checksums(db.cursor(), vendor), _migrations(db.cursor())
    conn, _ = _pg_connect(using)
    with closing(conn), conn.cursor() as cursor:
        return table_checksums(cursor, vendor), _migrations(cursor)


def restore(archive: Path | str, *, using: str = "default", force: bool = False) -> Restored:
    """Bring back `archive` into the (empty) database and MEDIA_ROOT, then prove every
    table holds the rows the manifest lists; refuse a database or media folder that
    already holds something unless `force`, and a backup of another database engine."""
    archive = Path(archive)
    vendor = connections[using].vendor
    media_root = Path(settings.MEDIA_ROOT)
    with _unpacked(archive) as (work, saved):
        if saved["vendor"] != vendor:
            raise BackupRefused(
                f"{archive} is a {saved['vendor']} backup; this Keel runs on {vendor}. "
                "Restore it into a database of the same engine."
            )
        if not force:
            tables = _target_tables(using, vendor)
            if tables:
                raise BackupRefused(
                    f"The database already holds {len(tables)} tables: restore into an "
                    "empty database, or pass --force to replace what it holds."
                )
            if _media_files(media_root):
                raise BackupRefused(
                    f"{media_root} already holds files: restore into an empty folder, "
                    "or pass --force to overwrite them."
                )
        connections[using].close()
        database = work / saved["database_file"]
        if vendor == "sqlite":
            with (
                closing(sqlite3.connect(database)) as source,
                closing(sqlite3.connect(_sqlite_path(using))) as target,
            ):
                source.backup(target)
        else:
            _, params = _pg_connect(using)
            clean = ["--clean", "--if-exists"] if force else []
            _run(
                ["pg_restore", "--no-owner", "--exit-on-error", *clean, "-d", params["dbname"]]
                + [str(database)],
                _pg_env(params),
            )
        media = work / "media"
        if media.is_dir():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    verify(saved, using=using)
    rows = sum(table["rows"] for table in saved["tables"].values())
    return Restored(len(saved["tables"]), rows, saved["media_files"])


def verify(saved: dict, *, using: str = "default") -> None:
    """Refuse unless the database holds exactly the tables, rows and migrations of the
    manifest `saved`."""
    vendor = connections[using].vendor
    found, migrations = _target_checksums(using, vendor)
    wrong = sorted(
        table
        for table in set(saved["tables"]) | set(found)
        if saved["tables"].get(table) != found.get(table)
    )
    if wrong:
        raise BackupRefused(
            f"After the restore {len(wrong)} table(s) differ from the backup's manifest: "
            + ", ".join(wrong[:10])
        )
    if migrations != saved["migrations"]:
        raise BackupRefused("After the restore the applied migrations differ from the backup's.")


def read_manifest(archive: Path | str) -> dict:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupRefused(f"{archive} is not a Keel backup: it has no manifest.")
        return json.loads(member.read())
