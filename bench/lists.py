"""Benchmark (not a test): the workspace list pages of the busiest records on the demo
company — HTML size, queries and median server time (wall clock and CPU) per page and
user, through Django's test client.

    PYTHONPATH=$PWD python bench/lists.py --database-url sqlite:////tmp/lists.sqlite3
    PYTHONPATH=$PWD python bench/lists.py --database-url ... --save before.json
    PYTHONPATH=$PWD python bench/lists.py --database-url ... --compare before.json

The database is loaded with the demo company when it has none (`keel demo --no-serve`
does the same; about 5 minutes on SQLite). It is only read: the same database measures
the code before and after a change. `--save` keeps the figures as JSON; `--compare`
prints this run beside a saved one, with the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

# (label, list URL) of the busiest records' workspace lists.
PAGES = [
    ("quotations", "/sales/quotation/"),
    ("orders", "/sales/salesorder/"),
    ("invoices", "/accounting/invoice/"),
    ("customers", "/parties/party/"),
    ("products", "/products/product/"),
    ("leads", "/crm/lead/"),
    ("opportunities", "/crm/opportunity/"),
    ("deliveries", "/inventory/transfer/"),
    ("payments", "/accounting/payment/"),
]
# The demo users who browse them: a manager sees every record, a rep their own.
USERS = ["sales.manager", "sales.rep", "accountant"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database to load or reuse")
    parser.add_argument("--requests", type=int, default=7, help="timed requests per page")
    parser.add_argument("--save", help="write the figures to this JSON file")
    parser.add_argument("--compare", help="a JSON file of an earlier run to compare with")
    parser.add_argument("--pages", help="only these pages, comma-separated (e.g. customers)")
    parser.add_argument("--users", help="only these users, comma-separated")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    os.environ.setdefault("KEEL_TASKS", "immediate")
    os.environ.setdefault("KEEL_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DEBUG", "0")
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a role's 403s are expected
    from django.conf import settings
    from django.core.management import call_command

    from keel.web.demo import load_demo

    # As in production: no test environment, whose instrumented template rendering
    # would add the cost of recording every template the page renders.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    pages = [page for page in PAGES if not args.pages or page[0] in args.pages.split(",")]
    users = args.users.split(",") if args.users else USERS
    figures = measure(args.requests, pages, users)
    earlier = None
    if args.compare:
        with open(args.compare) as saved:
            earlier = json.load(saved)
    report(figures, earlier)
    if args.save:
        with open(args.save, "w") as out:
            json.dump(figures, out, indent=1)
    return 0


def measure(requests: int, pages=PAGES, users=USERS) -> dict[str, dict]:
    """{"user page": {"bytes", "queries", "median_ms"}} for each user and page the user
    may open."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    figures = {}
    for username in users:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for label, url in pages:
            response = client.get(url)  # warm up: templates compiled, caches filled
            if response.status_code != 200:
                continue  # the role may not open this list
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            count = len(queries)
            timings, cpu = [], []
            for _ in range(requests):
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            figures[f"{username} {label}"] = {
                "bytes": len(response.content),
                "queries": count,
                "median_ms": round(statistics.median(timings), 1),
                "cpu_ms": round(statistics.median(cpu), 1),
            }
    return figures


def report(figures: dict[str, dict], earlier: dict[str, dict] | None) -> None:
    """One line per page: KB of HTML, queries, median wall and CPU milliseconds (CPU
    time is this process's own work, rendering and SQLite: on a shared machine it
    varies far less than the wall clock); with `earlier`, its figures and the ratios."""
    header = f"{'page':<30} {'KB':>5} {'queries':>7} {'ms':>6} {'cpu ms':>6}"
    if earlier:
        header += (
            f"  {'KB was':>6} {'q was':>5} {'ms was':>6} {'cpu was':>7} {'size':>5} {'cpu':>5}"
        )
    print(header)
    for page, now in figures.items():
        line = f"{page:<30} {now['bytes'] / 1000:>5.0f} {now['queries']:>7} "
        line += f"{now['median_ms']:>6.0f} {now['cpu_ms']:>6.0f}"
        was = (earlier or {}).get(page)
        if was:
            line += (
                f"  {was['bytes'] / 1000:>6.0f} {was['queries']:>5} {was['median_ms']:>6.0f}"
                f" {was['cpu_ms']:>7.0f} {now['bytes'] / was['bytes']:>5.2f}"
                f" {now['cpu_ms'] / was['cpu_ms']:>5.2f}"
            )
        print(line)
    if earlier:
        shared = [page for page in figures if page in earlier]

        def ratio(key):
            return statistics.median(figures[p][key] / earlier[p][key] for p in shared)

        print(
            f"median ratio now/before: size {ratio('bytes'):.2f}, CPU time {ratio('cpu_ms'):.2f}, "
            f"wall time {ratio('median_ms'):.2f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
