"""Database guards: posted journal entries and their lines cannot be updated or
deleted, and no line can be added to a posted entry (PostgreSQL and SQLite)."""

from django.db import migrations

MESSAGE = "Posted journal entries are immutable; reverse the entry to correct it."

POSTGRES = f"""
CREATE OR REPLACE FUNCTION accounting_refuse_posted_entry() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'posted' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION accounting_refuse_posted_line() RETURNS trigger AS $$
DECLARE
    entry_id bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN entry_id := NEW.entry_id; ELSE entry_id := OLD.entry_id; END IF;
    IF EXISTS (SELECT 1 FROM accounting_journalentry e
               WHERE e.id = entry_id AND e.state = 'posted') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER accounting_entry_immutable
    BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION accounting_refuse_posted_entry();
CREATE TRIGGER accounting_line_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION accounting_refuse_posted_line();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS accounting_entry_immutable ON accounting_journalentry;
DROP TRIGGER IF EXISTS accounting_line_immutable ON accounting_journalline;
DROP FUNCTION IF EXISTS accounting_refuse_posted_entry();
DROP FUNCTION IF EXISTS accounting_refuse_posted_line();
"""

# keel_ledger_guard() is registered by Keel on its connections (keel/accounting/guard.py):
# 1 normally, 0 while `flush` empties the database. Elsewhere it is missing and the
# statement fails, which also protects the rows.
_POSTED_LINE = (
    "(SELECT state FROM accounting_journalentry WHERE id = {row}.entry_id) = 'posted'"
)
SQLITE = [
    f"""CREATE TRIGGER accounting_entry_no_update BEFORE UPDATE ON accounting_journalentry
    FOR EACH ROW WHEN OLD.state = 'posted' AND keel_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER accounting_entry_no_delete BEFORE DELETE ON accounting_journalentry
    FOR EACH ROW WHEN OLD.state = 'posted' AND keel_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER accounting_line_no_insert BEFORE INSERT ON accounting_journalline
    FOR EACH ROW WHEN {_POSTED_LINE.format(row="NEW")} AND keel_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER accounting_line_no_update BEFORE UPDATE ON accounting_journalline
    FOR EACH ROW WHEN {_POSTED_LINE.format(row="OLD")} AND keel_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER accounting_line_no_delete BEFORE DELETE ON accounting_journalline
    FOR EACH ROW WHEN {_POSTED_LINE.format(row="OLD")} AND keel_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "accounting_entry_no_update",
        "accounting_entry_no_delete",
        "accounting_line_no_insert",
        "accounting_line_no_update",
        "accounting_line_no_delete",
    )
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
