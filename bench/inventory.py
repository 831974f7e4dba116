"""Inventory benchmark (not a test): one delivery of 5,000 lines through the
transfer services, then 100,000 moves in receipts and deliveries of 1,000 lines.

    python bench/inventory.py                      # SQLite (a fresh file in var/)
    DATABASE_URL=postgres://... python bench/inventory.py --moves 100000

Prints the seconds of each step of the big delivery (create, confirm, reserve,
validate; target: validate < 5 s) and moves/s over the receipts and deliveries
(target: >= 2,000 moves/s). The database named by DATABASE_URL is used as is
(create an empty one first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000, help="lines of the big delivery")
    parser.add_argument("--moves", type=int, default=100_000, help="moves in part (b)")
    parser.add_argument("--per-transfer", type=int, default=1000, help="lines per transfer")
    parser.add_argument("--profile", help="write a cProfile of the big delivery here")
    parser.add_argument("--profile-moves", help="write a cProfile of part (b) here")
    parser.add_argument(
        "--vacuum-every",
        type=int,
        default=0,
        help="PostgreSQL: VACUUM the stock tables after every N transfers of part (b), "
        "outside the timing (what autovacuum does on a server that has it on); 0: never",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench-inventory.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from keel.core.models import Company
    from keel.inventory.models import StockLevel, StockMove, Transfer
    from keel.inventory.services import transfers, validation
    from keel.inventory.tests.factories import warehouse
    from keel.products.models import Product
    from keel.products.tests.factories import ProductFactory

    company, _ = Company.objects.get_or_create(name=f"Bench {time.time_ns()}")
    wh = warehouse(company, code="BW", name="Bench warehouse")
    first = ProductFactory(company=company, name="Bench 0", sku="B-0")
    count = max(args.lines, args.per_transfer)
    Product.objects.bulk_create(
        Product(company=company, name=f"Bench {n}", sku=f"B-{n}", uom_id=first.uom_id)
        for n in range(1, count)
    )
    products = list(Product.objects.filter(company=company).order_by("pk"))
    print(f"database: {connection.vendor}")

    def timed(label, fn):
        t = time.perf_counter()
        result = fn()
        print(f"  {label}: {time.perf_counter() - t:.2f} s")
        return result

    def transfer(kind, items, quantity):
        return transfers.create_transfer(
            company,
            kind=kind,
            warehouse=wh,
            lines=[{"product": p, "quantity": quantity} for p in items],
        )

    # (a) Stock for 5,000 products from one receipt, then one delivery of all of them.
    big = products[: args.lines]
    print(f"(a) receipt of {len(big):,} lines")
    receipt = timed("create", lambda: transfer(Transfer.Kind.RECEIPT, big, Decimal(10)))
    timed("confirm", lambda: transfers.confirm(receipt.pk))
    timed("validate", lambda: validation.validate(receipt.pk))
    print(f"(a) delivery of {len(big):,} lines")
    out = timed("create", lambda: transfer(Transfer.Kind.DELIVERY, big, Decimal(4)))
    timed("confirm", lambda: transfers.confirm(out.pk))
    timed("reserve", lambda: transfers.reserve(out.pk))
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    timed("validate", lambda: validation.validate(out.pk))
    if args.profile:
        profiler.disable()
        profiler.dump_stats(args.profile)
    assert Transfer.objects.get(pk=out.pk).status == Transfer.Status.DONE
    level = StockLevel.objects.get(product=big[-1], location=wh.stock_location, lot_key=0)
    assert (level.on_hand, level.reserved) == (6, 0), level

    # (b) Receipts and deliveries of 1,000 lines, alternating, until --moves moves.
    per = args.per_transfer
    rounds = args.moves // per
    items = products[:per]
    print(f"(b) {rounds} transfers of {per:,} lines (receipts and deliveries alternating)")
    before = StockMove.objects.filter(status=Transfer.Status.DONE).count()
    from django.db import reset_queries
    from django.test.utils import CaptureQueriesContext

    if args.profile_moves:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    rates, queries = [], {Transfer.Kind.RECEIPT: [], Transfer.Kind.DELIVERY: []}
    started = time.perf_counter()
    vacuuming = 0.0
    cpu = time.process_time()
    for n in range(rounds):
        if args.vacuum_every and n and n % args.vacuum_every == 0:
            paused = time.perf_counter()
            with connection.cursor() as cursor:
                for table in ("stocklevel", "stockmove", "moveline", "productcost"):
                    cursor.execute(f"VACUUM inventory_{table}")
            vacuuming += time.perf_counter() - paused
        batch = time.perf_counter()
        kind = Transfer.Kind.RECEIPT if n % 2 == 0 else Transfer.Kind.DELIVERY
        with CaptureQueriesContext(connection) as captured:
            if kind == Transfer.Kind.RECEIPT:
                t = transfer(kind, items, Decimal(3))
                transfers.confirm(t.pk)
            else:
                t = transfer(kind, items, Decimal(2))
                transfers.confirm(t.pk)
                transfers.reserve(t.pk)
            validation.validate(t.pk)
        rates.append(per / (time.perf_counter() - batch))
        queries[kind].append(len(captured))
        reset_queries()
    elapsed = time.perf_counter() - started - vacuuming
    cpu = time.process_time() - cpu  # this process only (SQLite runs in it; PostgreSQL not)
    if vacuuming:
        print(f"  (VACUUM every {args.vacuum_every} transfers: {vacuuming:.1f} s, not counted)")
    if args.profile_moves:
        profiler.disable()
        profiler.dump_stats(args.profile_moves)
    moved = StockMove.objects.filter(status=Transfer.Status.DONE).count() - before
    assert moved == rounds * per, moved
    print(
        f"  {moved:,} moves created, confirmed, reserved and validated in {elapsed:.1f} s: "
        f"{moved / elapsed:,.0f} moves/s"
    )
    print(
        f"  CPU of this process: {cpu:.1f} s ({moved / cpu:,.0f} moves per CPU second; the "
        f"rest of the {elapsed:.1f} s is the database server and waiting for a core)"
    )
    print(
        f"  per transfer of {per:,} lines: median {statistics.median(rates):,.0f} moves/s "
        f"(slowest {min(rates):,.0f}, fastest {max(rates):,.0f}); queries: "
        f"receipt {statistics.median(queries[Transfer.Kind.RECEIPT]):.0f}, "
        f"delivery {statistics.median(queries[Transfer.Kind.DELIVERY] or [0]):.0f}"
    )
    if len(rates) >= 20:
        # Dead row versions of the levels pile up (without VACUUM): show the trend.
        print(
            f"  first ten transfers: median {statistics.median(rates[:10]):,.0f} moves/s; "
            f"last ten: {statistics.median(rates[-10:]):,.0f} moves/s"
        )


if __name__ == "__main__":
    main()
