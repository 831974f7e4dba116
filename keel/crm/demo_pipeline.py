"""Demo data of the pipeline work: two pipelines, 250 opportunities over the last 12
months (open, won, lost), 1,500 activities and monthly targets per rep.

`load(company, fake)` is deterministic: a fixed seed, dates counted back from today.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keel.parties.models import Party
from keel.parties.normalize import normalize_name
from keel.users.roles import Role

from .models import Activity, Opportunity, SalesTarget
from .services.opportunities import change_stage, create_opportunity, lose, win
from .services.pipelines import create_pipeline

SEED = 4242
PIPELINES = {
    "New business": [
        ("Qualify", 10),
        ("Meet", 25),
        ("Propose", 50),
        ("Negotiate", 75),
        ("Commit", 90),
    ],
    "Renewals": [("Review", 40), ("Quote", 70), ("Sign", 90)],
}
PRODUCTS = ["CRM rollout", "ERP licences", "Support plan", "Warehouse module", "Training", "Pilot"]
LOST_REASONS = ["Price", "Went with a competitor", "No budget", "Timing", "No decision"]
SUBJECTS = {
    "call": ["Discovery call", "Follow-up call", "Pricing call", "Check-in"],
    "email": ["Send proposal", "Send case study", "Answer questions", "Share contract"],
    "meeting": ["Demo", "Kick-off", "Negotiation meeting", "Site visit"],
    "task": ["Prepare quote", "Update forecast", "Check references", "Plan onboarding"],
}
OUTCOMES = ["Interested", "Asked for a discount", "Left a message", "Agreed next step", ""]


def _sellers(company):
    users = get_user_model().objects.filter(
        company=company, groups__name__in=[str(Role.SALES_REP), str(Role.SALES_MANAGER)]
    )
    sellers = list(users.distinct().order_by("username"))
    return sellers or list(get_user_model().objects.filter(company=company).order_by("username"))


def _customers(company, rng) -> list[Party]:
    parties = list(
        Party.objects.filter(company=company, kind=Party.Kind.ORGANISATION).order_by("id")[:80]
    )
    if parties:
        return parties
    names = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell"]
    return Party.objects.bulk_create(
        Party(
            company=company,
            name=f"{name} {suffix}",
            normalized_name=normalize_name(f"{name} {suffix}"),
            is_customer=True,
        )
        for name in names
        for suffix in ("Ltd", "Group")
    )


def load(company, fake) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    sellers = _sellers(company)
    if not sellers or Opportunity.objects.filter(company=company).exists():
        return
    customers = _customers(company, rng)
    pipelines = [create_pipeline(company=company, name=n, stages=s) for n, s in PIPELINES.items()]
    stages = {p.pk: list(p.stages.order_by("sequence")) for p in pipelines}

    deals = []
    for i in range(250):
        pipeline = pipelines[0] if rng.random() < 0.7 else pipelines[1]
        owner = sellers[i % len(sellers)]
        party = customers[rng.randrange(len(customers))]
        opened = now - timedelta(days=rng.randint(1, 365), hours=rng.randint(0, 23))
        deal = create_opportunity(
            company=company,
            name=f"{party.name}: {rng.choice(PRODUCTS)}",
            party=party,
            owner=owner,
            pipeline=pipeline,
            amount=Decimal(rng.randrange(1_000, 80_000)) + Decimal(rng.randrange(100)) / 100,
            expected_close=(opened + timedelta(days=rng.randint(20, 120))).date(),
            next_step=rng.choice(["Send proposal", "Book demo", "Call the buyer", ""]),
        )
        Opportunity.objects.filter(pk=deal.pk).update(created_at=opened)
        last_stage = rng.randrange(len(stages[pipeline.pk]))
        if last_stage:
            change_stage(deal.pk, stages[pipeline.pk][last_stage].pk, by=owner)
        age = (now - opened).days
        fate = rng.random()
        closed_at = min(now, opened + timedelta(days=rng.randint(10, max(11, age))))
        if age > 30 and fate < 0.4:
            win(deal.pk, by=owner, at=closed_at)
        elif age > 30 and fate < 0.65:
            lose(deal.pk, reason=rng.choice(LOST_REASONS), by=owner, at=closed_at)
        deals.append((deal, owner, opened))

    opportunity_type = ContentType.objects.get_for_model(Opportunity)
    party_type = ContentType.objects.get_for_model(Party)
    activities = []
    for i in range(1500):
        deal, owner, opened = deals[i % len(deals)]
        kind = rng.choice(list(SUBJECTS))
        due = opened + timedelta(days=rng.randint(0, 400), hours=rng.randint(8, 17))
        due = datetime.combine(due.date(), time(rng.randint(8, 17), 0), tzinfo=due.tzinfo)
        done = due < now and rng.random() < 0.85
        about_party = i % 5 == 0
        activities.append(
            Activity(
                company=company,
                kind=kind,
                subject=rng.choice(SUBJECTS[kind]),
                due_at=due,
                duration_minutes=rng.choice([15, 30, 45, 60]),
                done_at=due if done else None,
                outcome=rng.choice(OUTCOMES) if done else "",
                assignee=owner,
                content_type=party_type if about_party else opportunity_type,
                object_id=str(deal.party_id if about_party else deal.pk),
                reminder_at=None if done else due - timedelta(minutes=15),
                created_by=owner,
                updated_by=owner,
            )
        )
    Activity.objects.bulk_create(activities, batch_size=500)

    first_month = (now - timedelta(days=365)).date().replace(day=1)
    targets = []
    for seller in sellers:
        month = first_month
        for _ in range(15):  # the last 12 months and the next 3
            following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
            targets.append(
                SalesTarget(
                    company=company,
                    user=seller,
                    period_start=month,
                    period_end=following - timedelta(days=1),
                    amount=Decimal(rng.randrange(20, 60) * 1000),
                    currency=company.currency,
                )
            )
            month = following
    SalesTarget.objects.bulk_create(targets)
