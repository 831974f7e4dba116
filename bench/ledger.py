"""Ledger benchmark (not a test): post N journal lines through the posting API in
batches, as a user's import would, then time the reports read from the
maintained balances.

    python bench/ledger.py --lines 100000            # SQLite (a fresh file in var/)
    DATABASE_URL=postgres://... python bench/ledger.py --lines 1000000

Prints lines/s and the median of 5 runs of trial balance, P&L, balance sheet,
general ledger detail, comparative P&L and balance sheet, aged receivables/payables.
The database named by DATABASE_URL is used as is (create an empty one first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--lines-per-entry", type=int, default=10)
    parser.add_argument("--batch", type=int, default=1000, help="entries per transaction")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench-ledger.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from keel.accounting.models import Account
    from keel.accounting.selectors import balance_sheet, profit_and_loss, trial_balance
    from keel.accounting.selectors.aged import aged_balance
    from keel.accounting.selectors.comparative import (
        comparative_balance_sheet,
        comparative_profit_and_loss,
    )
    from keel.accounting.selectors.general_ledger import general_ledger
    from keel.accounting.services.posting import EntrySpec, Line, post_entries
    from keel.accounting.tests.factories import books
    from keel.core.models import Company

    company, _ = Company.objects.get_or_create(name=f"Bench {time.time_ns()}")
    journals = books(company, year=2026)
    accounts = list(Account.objects.filter(company=company, active=True))
    from keel.parties.services.parties import create_party

    # Receivable and payable lines carry one of 200 parties, so aged balances have work.
    parties = [
        create_party(company=company, name=f"Party {n}", is_customer=True) for n in range(200)
    ]

    def line(account, **amount):
        who = rng.choice(parties) if account.party_balances else None
        return Line(account=account, party=who, **amount)

    rng = random.Random(1)
    per_entry = args.lines_per_entry
    entries = args.lines // per_entry
    posted_lines = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    inside = 0.0  # seconds spent inside post_entries (building the specs is the caller's)
    for first in range(0, entries, args.batch):
        specs = []
        for n in range(first, min(first + args.batch, entries)):
            amounts = [Decimal(rng.randint(1, 500_000)) / 100 for _ in range(per_entry - 1)]
            lines = [line(rng.choice(accounts), debit=a) for a in amounts]
            lines.append(line(rng.choice(accounts), credit=sum(amounts)))
            day = dt.date(2026, 1 + n % 12, 1 + n % 28)
            specs.append(EntrySpec(journal=journals["GEN"], date=day, lines=lines))
        t = time.perf_counter()
        post_entries(company, specs)
        inside += time.perf_counter() - t
        posted_lines += sum(len(spec.lines) for spec in specs)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(f"database: {connection.vendor}")
    print(
        f"posted {posted_lines:,} lines in {entries:,} entries in {elapsed:.1f} s: "
        f"{posted_lines / elapsed:,.0f} lines/s"
    )
    print(
        f"  inside post_entries: {inside:.1f} s = {posted_lines / inside:,.0f} lines/s "
        f"(the rest is building the batches); this process's CPU: {cpu:.1f} s"
    )

    def median_ms(fn) -> float:
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t) * 1000)
        return statistics.median(runs)

    bank = Account.objects.get(company=company, role="bank")
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    partial = (dt.date(2026, 1, 15), dt.date(2026, 11, 14))
    reports = {
        "trial balance (year)": lambda: trial_balance(company.pk, *year),
        "trial balance (partial months)": lambda: trial_balance(company.pk, *partial),
        "profit and loss (year)": lambda: profit_and_loss(company.pk, *year),
        "balance sheet": lambda: balance_sheet(company.pk, year[1]),
        "general ledger (bank, one month)": lambda: general_ledger(
            company.pk, bank.pk, dt.date(2026, 3, 1), dt.date(2026, 3, 31), limit=500
        ),
        "P&L vs previous period": lambda: comparative_profit_and_loss(
            company.pk, *partial, "previous_period"
        ),
        "balance sheet vs previous year": lambda: comparative_balance_sheet(
            company.pk, year[1], "previous_year"
        ),
        "aged receivables": lambda: aged_balance(company.pk, dt.date(2026, 12, 31)),
        "aged payables (mid-period)": lambda: aged_balance(
            company.pk, dt.date(2026, 6, 15), "payable"
        ),
    }
    for name, fn in reports.items():
        print(f"{name}: {median_ms(fn):.1f} ms (median of 5)")


if __name__ == "__main__":
    main()
