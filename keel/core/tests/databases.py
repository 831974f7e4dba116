"""A throwaway database for tests that need one of their own (restores, upgrades)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from keel.core.backup import pg_params


def _admin_connection():
    """A PostgreSQL connection to the server's maintenance database, outside any
    transaction (CREATE and DROP DATABASE refuse to run inside one)."""
    import psycopg

    return psycopg.connect(**{**pg_params(), "dbname": "postgres"}, autocommit=True)


@contextmanager
def throwaway_database(folder: Path) -> Iterator[None]:
    """Point the default connection at a new, empty database for the block (a file in
    `folder` on SQLite, a new database on PostgreSQL), then back; the test must be
    transactional (`django_db(transaction=True)`), since the connection is reopened."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    if connection.vendor == "sqlite":
        name = str(folder / f"throwaway-{uuid.uuid4().hex[:8]}.sqlite3")
    else:
        name = f"keel_throwaway_{uuid.uuid4().hex[:12]}"
        with closing(_admin_connection()) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    settings_dict["NAME"] = name
    # Content type ids are cached per process; the other database numbers them its own
    # way (an older state lacks whole apps), so a cached id would point at nothing.
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = original
        ContentType.objects.clear_cache()
        if connection.vendor == "postgresql":
            with closing(_admin_connection()) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
