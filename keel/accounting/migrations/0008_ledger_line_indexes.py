"""Journal lines: no single-column foreign-key indexes (a composite index leads with
each key), no FK constraint on the copied company and period (ADR 0009), and on
PostgreSQL the "no line added to a posted entry" guard runs once per statement
instead of once per row. SQLite rebuilds the table to alter it, which drops the
table's triggers: they are created again."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_guards = importlib.import_module("keel.accounting.migrations.0002_posted_entry_triggers")

POSTGRES = f"""
DROP TRIGGER IF EXISTS accounting_line_immutable ON accounting_journalline;
CREATE TRIGGER accounting_line_immutable
    BEFORE UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION accounting_refuse_posted_line();
CREATE OR REPLACE FUNCTION accounting_refuse_lines_on_posted() RETURNS trigger AS $$
DECLARE
    entry_ids bigint[];
BEGIN
    -- The ids first, then one look-up by primary key: a join with the transition
    -- table (which has no statistics) may be planned as a scan of every entry.
    SELECT array_agg(DISTINCT entry_id) INTO entry_ids FROM new_lines;
    IF EXISTS (SELECT 1 FROM accounting_journalentry
               WHERE id = ANY (entry_ids) AND state = 'posted') THEN
        RAISE EXCEPTION '{_guards.MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER accounting_line_insert_guard
    AFTER INSERT ON accounting_journalline REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION accounting_refuse_lines_on_posted();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS accounting_line_insert_guard ON accounting_journalline;
DROP FUNCTION IF EXISTS accounting_refuse_lines_on_posted();
DROP TRIGGER IF EXISTS accounting_line_immutable ON accounting_journalline;
CREATE TRIGGER accounting_line_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION accounting_refuse_posted_line();
"""


def guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in _guards.SQLITE_REVERSE + _guards.SQLITE:
            schema_editor.execute(statement)


def guards_backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in _guards.SQLITE_REVERSE + _guards.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounting", "0007_bank_matching"),
        ("core", "0003_idempotent_request"),
        ("parties", "0002_alter_party_options_personaldataerasure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalline",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="accounting.account",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="company",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.company",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="entry",
            field=models.ForeignKey(
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
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.party",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="period",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounting.period",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="tax",
            field=models.ForeignKey(
                blank=True,
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
