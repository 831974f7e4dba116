"""Benchmark (not a test): server time to render the pipeline board with 5,000 open
opportunities, median of N requests through Django's test client.

    PYTHONPATH=. python bench/crm_board.py [--cards 5000] [--requests 15]
    DATABASE_URL=postgres://... PYTHONPATH=. python bench/crm_board.py

Runs in a temporary test database (created and dropped here). Target: < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = False
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args.cards, args.requests)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(cards: int, requests: int) -> None:
    from django.db import connection
    from django.test import Client

    from keel.core.models import Company
    from keel.crm.models import Opportunity, Pipeline, Stage
    from keel.parties.models import Party
    from keel.users.roles import Role
    from keel.users.tests.factories import user_with_role

    company = Company.objects.create(name="Bench Co", currency="USD")
    manager = user_with_role(Role.SALES_MANAGER, username="bench.manager", company=company)
    reps = [
        user_with_role(Role.SALES_REP, username=f"bench.rep{i}", company=company) for i in range(10)
    ]
    pipeline = Pipeline.objects.create(company=company, name="New business")
    stages = [
        Stage.objects.create(pipeline=pipeline, name=name, sequence=i * 10, probability=p)
        for i, (name, p) in enumerate(
            [("Qualify", 10), ("Meet", 25), ("Propose", 50), ("Negotiate", 75), ("Commit", 90)],
            start=1,
        )
    ]
    parties = Party.objects.bulk_create(
        Party(company=company, name=f"Customer {i}", normalized_name=f"customer {i}")
        for i in range(500)
    )
    start = date(2026, 1, 1)
    Opportunity.objects.bulk_create(
        (
            Opportunity(
                company=company,
                name=f"Deal {i:05d}",
                party=parties[i % len(parties)],
                pipeline=pipeline,
                stage=stages[i % len(stages)],
                owner=reps[i % len(reps)],
                amount=Decimal(1000 + i) + Decimal("0.25"),
                currency="USD",
                expected_close=start + timedelta(days=i % 365),
            )
            for i in range(cards)
        ),
        batch_size=1000,
    )
    client = Client()
    client.force_login(manager)
    url = f"/w/crm/board/{pipeline.pk}/"
    response = client.get(url)  # warm up (templates compiled, caches filled)
    assert response.status_code == 200, response.status_code
    assert response.content.decode().count('data-testid="card"') == cards
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
    vendor, median = connection.vendor, statistics.median(timings)
    print(
        f"crm board, {cards} open opportunities on {vendor}: median {median:.0f} ms, "
        f"min {min(timings):.0f} ms, max {max(timings):.0f} ms over {requests} requests "
        f"({len(response.content) / 1e6:.1f} MB of HTML)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
