"""Demo leads: scoring and assignment rules, 400 leads with a year of engagements, scored.

`load(company, fake)` is deterministic for a given Faker seed (dates are relative to the
day the demo is loaded).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from keel.parties.models import Industry, Region
from keel.users.roles import Role

from .models import AssignmentRule, Lead, LeadEngagement, ScoringRule
from .services import leads
from .services.scoring import score_leads

REGIONS = {
    "Americas": ["US", "CA", "MX", "BR"],
    "Europe": ["DE", "FR", "GB", "NL", "ES"],
    "Asia-Pacific": ["JP", "AU", "SG", "IN"],
}
INDUSTRIES = ["Software", "Manufacturing", "Retail", "Healthcare", "Logistics"]
KINDS = ["opened_mailing", "visited_pricing", "downloaded_whitepaper"]


def _rules(company) -> None:
    for name, kind, field, operator, value, behaviour, points, half_life in [
        ("Software industry", "field", "industry", "equals", "Software", "", 15, None),
        ("More than 200 employees", "field", "employees", "gt", "200", "", 20, None),
        ("Has a website", "field", "website", "is_set", "", "", 10, None),
        ("Decision maker", "field", "job_title", "contains", "director", "", 10, None),
        ("Opened a mailing", "behaviour", "", "equals", "", "opened_mailing", 5, 30),
        ("Visited pricing", "behaviour", "", "equals", "", "visited_pricing", 10, 14),
        ("Downloaded a whitepaper", "behaviour", "", "equals", "", "downloaded_whitepaper", 8, 60),
    ]:
        ScoringRule.objects.get_or_create(
            company=company,
            name=name,
            defaults={
                "kind": kind,
                "field": field,
                "operator": operator,
                "value": value,
                "behaviour": behaviour,
                "points": points,
                "half_life_days": half_life,
            },
        )


def _territories(company) -> list[Region]:
    regions = []
    for name, countries in REGIONS.items():
        region, _ = Region.objects.get_or_create(
            company=company, name=name, defaults={"countries": countries}
        )
        regions.append(region)
    return regions


def _assignment(company, regions) -> None:
    people = list(
        get_user_model()
        .objects.filter(
            company=company, groups__name__in=[str(Role.SALES_REP), str(Role.SALES_MANAGER)]
        )
        .order_by("id")
    )
    for priority, region in enumerate(regions, start=1):
        rule, created = AssignmentRule.objects.get_or_create(
            company=company,
            name=f"{region.name} in turn",
            defaults={"priority": priority, "region": region},
        )
        if created and people:
            rule.members.set(people)


def load(company, fake) -> None:
    """Rules, one assignment rule per territory, 400 leads and their engagements."""
    if Lead.objects.filter(company=company).exists():
        return
    _rules(company)
    regions = _territories(company)
    _assignment(company, regions)
    industries = [Industry.objects.get_or_create(company=company, name=n)[0] for n in INDUSTRIES]
    countries = [c for cs in REGIONS.values() for c in cs]
    now = timezone.now()
    sources = ["web_form", "api", "import", "manual"]
    created = []
    for n in range(400):
        organisation = fake.company()
        domain = organisation.lower().replace(" ", "").replace(",", "").replace("-", "")[:30]
        created.append(
            leads.capture_lead(
                company=company,
                source=sources[n % 4],
                now=now,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                organisation_name=organisation,
                job_title=fake.random_element(
                    ["Director of Operations", "CTO", "Buyer", "Sales Director", "Office Manager"]
                ),
                email=f"contact{n}@{domain}.example",
                website=f"https://{domain}.example" if n % 3 else "",
                country=countries[n % len(countries)],
                industry=industries[n % len(industries)],
                employees=fake.random_int(5, 2000),
                utm_source=fake.random_element(["newsletter", "google", "linkedin", ""]),
            ).lead
        )
    engagements = [
        LeadEngagement(
            lead=lead,
            kind=fake.random_element(KINDS),
            occurred_at=now - timedelta(days=fake.random_int(0, 365), hours=fake.random_int(0, 23)),
        )
        for lead in created
        for _ in range(fake.random_int(0, 6))
    ]
    LeadEngagement.objects.bulk_create(engagements)
    score_leads(Lead.objects.filter(company=company), now)
