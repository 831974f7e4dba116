"""Upgrading keeps the data: a database made by an older Keel (before sales and
putaway rules existed: inventory at 0003, no sales tables) with books and stock in it
migrates to the latest state with every row as it was, the hash chain intact and
`keel check` clean.

(Today's code writes what that older schema holds, so it makes the data; it cannot
write into a state whose rules differ, e.g. accounting before 0010, whose triggers
refuse the lines of an entry written posted.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from keel.accounting.models import JournalEntry
from keel.accounting.selectors import first_broken_link
from keel.accounting.services.posting import post_entry
from keel.accounting.tests.factories import books, invoice, party, sale_lines
from keel.core.backup import database_checksums
from keel.core.tests.databases import throwaway_database
from keel.core.tests.factories import CompanyFactory
from keel.core.tests.invariants import assert_invariants_hold
from keel.inventory.tests.factories import deliver, product, receive, warehouse

D = Decimal
# The state of an older commit: before putaway rules, and before sales (which needs them).
OLDER = {"inventory": "0003_replenishment_rules"}
NOT_YET = {"sales"}


def migrate_to(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def older_state() -> list[tuple[str, str]]:
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [(app, OLDER.get(app, name)) for app, name in leaves if app not in NOT_YET]


@pytest.mark.django_db(transaction=True)
def test_books_made_by_an_older_keel_survive_the_upgrade(tmp_path):
    """Given a throwaway database migrated to the older state, with books, an invoice,
    a hand-posted entry, and gears received and delivered in it; When it migrates
    to the latest state; Then every table it had holds the same rows, the sales tables
    exist, the chain verifies, `keel check` is clean, and the next entry chains on."""
    with throwaway_database(tmp_path):
        # Given the older state with data in it
        migrate_to(older_state())
        applied = MigrationExecutor(connection).loader.applied_migrations
        assert ("inventory", "0004_putaway_rules") not in applied
        assert not any(app == "sales" for app, _ in applied)
        company = CompanyFactory()
        journals = books(company)
        invoice(company, party(company, "Globex"))
        post_entry(company, journals["GEN"], dt.date(2026, 3, 2), sale_lines("25.00"))
        wh = warehouse(company)
        gear = product(company, name="Gear", sku="GEAR")
        receive(wh, gear, 5, unit_cost="2.50", destination=wh.stock_location)
        deliver(wh, gear, 2)
        before = database_checksums()
        # When it migrates to the latest state
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
        # Then the rows it had are untouched and the new tables exist
        after = database_checksums()
        kept = {t: after[t] for t in before if t != "django_migrations"}
        assert kept == {t: c for t, c in before.items() if t != "django_migrations"}
        assert {"sales_salesorder", "inventory_putawayrule"} <= set(after) - set(before)
        entries = JournalEntry.objects.filter(company=company).count()
        assert entries == 4  # the invoice, the hand-posted sale, the receipt, the delivery
        assert first_broken_link(company.pk) == (None, entries)
        assert_invariants_hold(company)
        # And posting goes on from where the older Keel stopped
        next_entry = post_entry(company, journals["GEN"], dt.date(2026, 3, 3), sale_lines("5.00"))
        assert (next_entry.chain_index, next_entry.number) == (
            5,
            f"{journals['GEN'].sequence_prefix}2026/00004",  # the stock entries are GEN too
        )
        assert_invariants_hold(company)
