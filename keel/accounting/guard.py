"""The SQLite side of the posted-entry triggers.

SQLite has no session settings, so its triggers call `keel_ledger_guard()`, a
function Keel registers on each of its connections: it answers 1 (guarded)
unless `flush` is emptying the database on purpose. A connection without the
function (the sqlite3 shell, another program) fails the statement instead, so
posted rows stay protected there too.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections


def install_sqlite_guard(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        "keel_ledger_guard", 0, lambda: 0 if getattr(connection, "keel_unguarded", False) else 1
    )


@contextmanager
def unguarded(using: str = "default"):
    """Let the current connection delete posted rows (only `flush` uses this)."""
    connection = connections[using]
    connection.keel_unguarded = True
    try:
        yield
    finally:
        connection.keel_unguarded = False
