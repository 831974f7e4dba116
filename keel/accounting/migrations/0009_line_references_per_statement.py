"""Journal lines: the references to entry, account, party and tax are checked once per
INSERT statement by the guard trigger instead of row by row by FK constraints
(ADR 0009). SQLite rebuilds the table to alter it, so its triggers are created
again, with one more that checks the references of each new line."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_guards = importlib.import_module("keel.accounting.migrations.0002_posted_entry_triggers")
MISSING = "A journal line refers to a missing entry, account, party or tax."

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
    IF EXISTS (SELECT 1 FROM accounting_journalentry
               WHERE id = ANY (entry_ids) AND state = 'posted') THEN
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
        RAISE EXCEPTION '{MISSING}' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

SQLITE_REFERENCES = f"""CREATE TRIGGER accounting_line_references BEFORE INSERT ON accounting_journalline
    FOR EACH ROW WHEN keel_ledger_guard() AND (
        NOT EXISTS (SELECT 1 FROM accounting_journalentry WHERE id = NEW.entry_id)
        OR NOT EXISTS (SELECT 1 FROM accounting_account WHERE id = NEW.account_id)
        OR (NEW.party_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM parties_party WHERE id = NEW.party_id))
        OR (NEW.tax_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM accounting_tax WHERE id = NEW.tax_id)))
    BEGIN SELECT RAISE(ABORT, '{MISSING}'); END;"""


def guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in _guards.SQLITE_REVERSE + _guards.SQLITE:
            schema_editor.execute(statement)
        schema_editor.execute("DROP TRIGGER IF EXISTS accounting_line_references;")
        schema_editor.execute(SQLITE_REFERENCES)


def guards_backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS accounting_line_references;")
        for statement in _guards.SQLITE_REVERSE + _guards.SQLITE:
            schema_editor.execute(statement)
    # PostgreSQL: 0008's function is re-created by unapplying 0008; the constraints
    # come back with the fields.


class Migration(migrations.Migration):
    dependencies = [
        ("accounting", "0008_ledger_line_indexes"),
        ("parties", "0002_alter_party_options_personaldataerasure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalline",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="accounting.account",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="accounting.journalentry",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="party",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.party",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="tax",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                help_text="On a tax line: the tax whose amount this line carries",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounting.tax",
            ),
        ),
        migrations.RunPython(guards, guards_backwards),
    ]
