"""Entries are written posted, and the ledger head seals them: a line may be added
only to an entry whose chain index is beyond its company's last sealed link
(`LedgerHead.last_index`), which the posting transaction moves past its entries
before it commits. This replaces the draft-then-posted UPDATE of every entry of a
batch (a second write of each row and its indexes). Rows written posted before
this migration are all at or below the head already."""

import importlib

from django.db import migrations

_guards = importlib.import_module("keel.accounting.migrations.0002_posted_entry_triggers")
_references = importlib.import_module(
    "keel.accounting.migrations.0009_line_references_per_statement"
)

_SEALED = """SELECT 1 FROM accounting_journalentry e
               JOIN accounting_ledgerhead h ON h.company_id = e.company_id
               WHERE {where} AND e.state = 'posted' AND e.chain_index <= h.last_index"""

POSTGRES = f"""
CREATE OR REPLACE FUNCTION accounting_refuse_lines_on_posted() RETURNS trigger AS $$
DECLARE
    entry_ids bigint[];
    account_ids bigint[];
    party_ids bigint[];
    tax_ids bigint[];
BEGIN
    -- The distinct ids first, then look-ups by primary key: a join with the
    -- transition table (which has no statistics) may be planned as a full scan.
    SELECT array_agg(DISTINCT entry_id), array_agg(DISTINCT account_id),
           array_remove(array_agg(DISTINCT party_id), NULL),
           array_remove(array_agg(DISTINCT tax_id), NULL)
      INTO entry_ids, account_ids, party_ids, tax_ids FROM new_lines;
    IF EXISTS ({_SEALED.format(where="e.id = ANY (entry_ids)")}) THEN
        RAISE EXCEPTION '{_guards.MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (SELECT count(*) FROM accounting_journalentry WHERE id = ANY (entry_ids))
           <> cardinality(entry_ids)
       OR (SELECT count(*) FROM accounting_account WHERE id = ANY (account_ids))
           <> cardinality(account_ids)
       OR (SELECT count(*) FROM parties_party WHERE id = ANY (party_ids))
           <> cardinality(party_ids)
       OR (SELECT count(*) FROM accounting_tax WHERE id = ANY (tax_ids))
           <> cardinality(tax_ids) THEN
        RAISE EXCEPTION '{_references.MISSING}' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

SQLITE_LINE_NO_INSERT = f"""CREATE TRIGGER accounting_line_no_insert
    BEFORE INSERT ON accounting_journalline
    FOR EACH ROW WHEN EXISTS ({_SEALED.format(where="e.id = NEW.entry_id")})
        AND keel_ledger_guard()
    BEGIN SELECT RAISE(ABORT, '{_guards.MESSAGE}'); END;"""

# The version of 0002 this replaces, for going back.
SQLITE_LINE_NO_INSERT_BEFORE = next(
    statement for statement in _guards.SQLITE if "accounting_line_no_insert" in statement
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS accounting_line_no_insert;")
        schema_editor.execute(SQLITE_LINE_NO_INSERT)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_references.POSTGRES)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS accounting_line_no_insert;")
        schema_editor.execute(SQLITE_LINE_NO_INSERT_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0009_line_references_per_statement")]

    operations = [migrations.RunPython(forwards, backwards)]
