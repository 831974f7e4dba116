"""API fuzzing for `make soak` (not a test): schemathesis generates requests for every
operation of the OpenAPI schema (/api/schema/) and sends them, in process through the
WSGI app, as a signed-in user of every role; every answer must be no 5xx and match the
schema (documented status code, content type, body).

    PYTHONPATH=$PWD python bench/soak/fuzz.py                      # fresh SQLite in var/soak/
    PYTHONPATH=$PWD python bench/soak/fuzz.py --examples 2 --roles "Sales Rep"
    PYTHONPATH=$PWD python bench/soak/fuzz.py --database-url postgres://postgres@127.0.0.1:5432/keel_fuzz

The database is set up here: migrated, then the access matrix's company is built in it
(tests/security/world.py: a user per role, a rep's and a colleague's record of each
owned kind, books, a warehouse with stock). A PostgreSQL database must exist and be
empty. Prints per role the operations, cases run, 5xx and schema violations (with the
first example of each finding), then one line

    SOAK-FIGURES {"fuzz": {...}}

for the soak orchestrator. Exit status 1 on any 5xx or schema violation. The default of
1 example per operation and role (13 roles x 341 operations = 4,433 cases) is about 13
minutes of fuzzing plus 6 to 7 of set-up on the shared 2-core machine, where a case took
0.18 s on average under a load of about 15 (docs/operations.md, Security); it is the
least that still sends every operation as every role. Raise --examples where there is
time.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file under var/soak/")
    parser.add_argument("--examples", type=int, default=1, help="cases per operation and role")
    parser.add_argument(
        "--negative", action="store_true", help="also send cases that break the schema"
    )
    parser.add_argument("--roles", help="comma-separated role names (default: every role)")
    parser.add_argument("--operations", help="comma-separated labels, e.g. 'GET /api/v1/parties/'")
    parser.add_argument("--seed", type=int, default=0, help="fixed seed; -1 for a random run")
    return parser.parse_args(argv)


def prepare_database(url: str | None) -> str:
    if url:
        return url
    path = ROOT / "var" / "soak" / "fuzz.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    return f"sqlite:///{path}"


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = prepare_database(args.database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    # The fuzzer is one user sending thousands of requests a minute: not what the
    # API throttle is for.
    os.environ["KEEL_API_USER_RATE"] = "1000000/minute"
    os.environ.setdefault("KEEL_TASKS", "immediate")
    import django

    django.setup()
    # 4xx answers are the point of fuzzing; keep the log for 5xx tracebacks.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command

    from keel.core.tests.factories import CompanyFactory
    from keel.users.roles import Role
    from keel.users.tests.factories import user_with_role
    from tests.security import fuzzing
    from tests.security.world import build_world

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    company = CompanyFactory()
    users = {role: user_with_role(role, company=company) for role in Role}
    build_world(company, users)
    setup_seconds = time.monotonic() - started

    schema = fuzzing.load_schema()
    only = set(args.operations.split(",")) if args.operations else None
    ops = fuzzing.operations(schema, only)
    wanted = set(args.roles.split(",")) if args.roles else None
    roles = [role for role in Role if wanted is None or str(role) in wanted]
    seed = None if args.seed < 0 else args.seed

    per_role = {}
    totals = {"operations": len(ops), "cases": 0, "5xx": 0, "violations": 0}
    for role in roles:
        began = time.monotonic()
        figures = fuzzing.fuzz_as(
            users[role], schema, args.examples, ops, seed, negative=args.negative
        )
        print(fuzzing.report(figures), f"({time.monotonic() - began:.0f}s)", flush=True)
        per_role[str(role)] = figures.as_dict()
        for key in ("cases", "5xx", "violations"):
            totals[key] += figures.as_dict()[key]
    seconds = time.monotonic() - started
    print(
        f"fuzz: {len(roles)} roles x {len(ops)} operations, {totals['cases']} cases, "
        f"{totals['5xx']} 5xx, {totals['violations']} schema violations "
        f"in {seconds:.0f}s (setup {setup_seconds:.0f}s)"
    )
    figures = {
        **totals,
        "roles": len(roles),
        "examples_per_operation": args.examples,
        "negative": args.negative,
        "seconds": round(seconds),
        "per_role": per_role,
    }
    print("SOAK-FIGURES " + json.dumps({"fuzz": figures}), flush=True)
    return 1 if totals["5xx"] or totals["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
