"""Benchmark: import leads from a generated CSV (checked, assigned, scored, bulk-inserted
with history) and re-score them set-wise, on a fresh temporary database.

    PYTHONPATH=$PWD python bench/crm_leads.py [--rows 100000] [--runs 3]

SQLite by default; PostgreSQL when DATABASE_URL is set (a test database is created next
to it and dropped afterwards). Prints seconds and rows/s, the median of the runs.
Target: >= 5,000 leads/s for the import.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
os.environ.setdefault("KEEL_TASKS", "immediate")
os.environ.setdefault("KEEL_LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "0")  # as in production: no query log


def generate_csv(rows: int) -> bytes:
    regions, industries = ["North", "South", "West"], ["Software", "Retail", "Energy", ""]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "first_name",
            "last_name",
            "organisation_name",
            "email",
            "phone",
            "website",
            "country",
            "region",
            "industry",
            "employees",
            "job_title",
            "utm_source",
        ]
    )
    for n in range(rows):
        writer.writerow(
            [
                f"First{n}",
                f"Last{n}",
                f"Company {n} Ltd",
                f"person{n}@company{n}.example",
                f"+1 555 {n:07d}",
                f"https://company{n}.example" if n % 3 else "",
                "US",
                regions[n % 3],
                industries[n % 4],
                str((n * 37) % 2000),
                "Head of Sales" if n % 5 == 0 else "Analyst",
                "bench",
            ]
        )
    return out.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment(debug=False)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return run(args, connection, timezone)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def run(args, connection, timezone) -> int:
    from django.contrib.auth import get_user_model

    from keel.core.models import Company
    from keel.crm.models import AssignmentRule, Lead, LeadEngagement, ScoringRule
    from keel.crm.services.lead_import import import_leads
    from keel.crm.services.scoring import score_leads
    from keel.parties.models import Industry, Region

    company = Company.objects.create(name="Bench Co")
    User = get_user_model()
    importer = User.objects.create(username="importer", company=company)
    reps = [User.objects.create(username=f"rep{n}", company=company) for n in range(6)]
    for n, name in enumerate(["North", "South", "West"]):
        region = Region.objects.create(company=company, name=name)
        rule = AssignmentRule.objects.create(company=company, name=name, region=region, priority=n)
        rule.members.set(reps[2 * n : 2 * n + 2])
    for name in ["Software", "Retail", "Energy"]:
        Industry.objects.create(company=company, name=name)
    for name, field, op, value, points in [
        ("Software", "industry", "equals", "Software", 15),
        ("Big", "employees", "gt", "200", 20),
        ("Website", "website", "is_set", "", 10),
        ("Head of", "job_title", "contains", "head", 12),
    ]:
        ScoringRule.objects.create(
            company=company, name=name, field=field, operator=op, value=value, points=points
        )
    ScoringRule.objects.create(
        company=company,
        name="Opened",
        kind="behaviour",
        behaviour="opened_mailing",
        points=10,
        half_life_days=30,
    )
    content = generate_csv(args.rows)
    HistoricalLead = Lead.history.model

    imports, rescores = [], []
    for attempt in range(args.runs):
        LeadEngagement.objects.all()._raw_delete(connection.alias)
        Lead.objects.all()._raw_delete(connection.alias)
        HistoricalLead.objects.all()._raw_delete(connection.alias)
        started, cpu = time.perf_counter(), time.process_time()
        record = import_leads(content, "csv", dry_run=False, by=importer)
        imports.append(time.perf_counter() - started)
        cpu = time.process_time() - cpu
        assert record.created_count == args.rows, (record.status, record.errors[:3])
        now = timezone.now()
        ids = list(Lead.objects.values_list("id", flat=True)[: args.rows // 10])
        LeadEngagement.objects.bulk_create(
            LeadEngagement(lead_id=i, kind="opened_mailing", occurred_at=now - timedelta(days=k))
            for k, i in enumerate(ids)
        )
        started = time.perf_counter()
        score_leads(Lead.objects.all(), now)
        rescores.append(time.perf_counter() - started)
        print(
            f"run {attempt + 1}: import {imports[-1]:.2f}s (CPU {cpu:.2f}s), "
            f"re-score {rescores[-1]:.2f}s",
            file=sys.stderr,
        )

    vendor = connection.vendor
    for label, times in [
        ("import (check, assign, score, insert)", imports),
        ("re-score all (set-based)", rescores),
    ]:
        median = statistics.median(times)
        print(
            f"{vendor} {label}: {args.rows} leads in {median:.2f}s = "
            f"{args.rows / median:,.0f} leads/s (median of {len(times)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
