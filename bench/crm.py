"""CRM benchmark (not a test): the lead import and the pipeline board, on SQLite and,
when DATABASE_URL points at PostgreSQL, on PostgreSQL too.

    PYTHONPATH=$PWD python bench/crm.py [--rows 100000] [--cards 5000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_bench PYTHONPATH=$PWD python bench/crm.py

Runs bench/crm_leads.py (import 100,000 leads from CSV and score them; target
>= 5,000 leads/s) and bench/crm_board.py (render the board with 5,000 open
opportunities; target < 300 ms server time), each in its own process on each
database, and prints their figures one after the other.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, args: list[str], database_url: str | None) -> int:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    label = "PostgreSQL" if database_url else "SQLite"
    print(f"\n=== {script} on {label} ===", flush=True)
    return subprocess.call([sys.executable, str(HERE / script), *args], env=env)  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cards", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=15)
    options = parser.parse_args()
    databases = [None]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        databases.append(os.environ["DATABASE_URL"])
    failed = 0
    for database_url in databases:
        failed |= run(
            "crm_leads.py",
            ["--rows", str(options.rows), "--runs", str(options.runs)],
            database_url,
        )
        failed |= run(
            "crm_board.py",
            ["--cards", str(options.cards), "--requests", str(options.requests)],
            database_url,
        )
    return failed


if __name__ == "__main__":
    sys.exit(main())
