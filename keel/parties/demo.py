"""Demo parties: territories, channels, industries, 300 organisations and 500 contacts.

Deterministic: every value comes from the seeded `fake`; rows are bulk-inserted with
their normal forms computed, and a history row each (django-simple-history).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from .models import Address, CustomerGroup, Industry, Party, Region, SalesChannel, Tag
from .services.parties import refresh_normal_forms

REGIONS = [
    ("North America", "NA", ["US", "CA", "MX"]),
    ("Europe", "EU", ["DE", "FR", "GB", "NL", "ES", "IT", "SE"]),
    ("Asia-Pacific", "APAC", ["JP", "AU", "SG", "IN", "KR"]),
]
CHANNELS = ["Direct", "Partner", "Web", "Marketplace"]
INDUSTRIES = [
    "Manufacturing",
    "Retail",
    "Software",
    "Healthcare",
    "Logistics",
    "Construction",
    "Food & Beverage",
    "Energy",
]
TAGS = ["Key account", "Newsletter", "Trade fair 2026", "Reseller", "Slow payer", "Green"]
GROUPS = ["Standard", "Wholesale"]
ORGANISATIONS = 300
PEOPLE = 500
DEMO_OWNERS = ("sales.rep", "sales.manager")


def _named(model, company, names):
    return model.objects.bulk_create([model(company=company, name=name) for name in names])


def load(company, fake) -> None:
    """Create the demo company's parties (run once, from keel.web.demo)."""
    regions = Region.objects.bulk_create(
        [Region(company=company, name=n, code=c, countries=cs) for n, c, cs in REGIONS]
    )
    channels = _named(SalesChannel, company, CHANNELS)
    industries = _named(Industry, company, INDUSTRIES)
    tags = _named(Tag, company, TAGS)
    groups = _named(CustomerGroup, company, GROUPS)
    users = get_user_model().objects.filter(username__in=DEMO_OWNERS).order_by("username")
    owners = list(users) or [None]

    organisations = []
    for i in range(ORGANISATIONS):
        region_index = i % len(regions)
        name = fake.unique.company()
        domain = fake.unique.domain_name()
        role = ("customer", "customer", "prospect", "supplier")[i % 4]
        party = Party(
            company=company,
            kind=Party.Kind.ORGANISATION,
            name=name,
            is_customer=role == "customer",
            is_prospect=role == "prospect",
            is_supplier=role == "supplier",
            is_partner=i % 15 == 0,
            email=f"info@{domain}",
            phone=fake.numerify("+1 (###) 555-####"),
            website=f"https://www.{domain}",
            tax_id=fake.bothify("??#########").upper(),
            region=regions[region_index],
            channel=channels[i % len(channels)],
            industry=industries[i % len(industries)],
            customer_group=(groups[1] if i % 5 == 0 else groups[0]) if role == "customer" else None,
            owner=owners[i % len(owners)],
            credit_limit=Decimal(fake.random_int(5, 200) * 1000) if role == "customer" else None,
        )
        refresh_normal_forms(party)
        organisations.append(party)
    bulk_create_with_history(organisations, Party, batch_size=500)
    organisations = list(
        Party.objects.filter(company=company, kind=Party.Kind.ORGANISATION).order_by("id")
    )

    addresses = []
    for i, org in enumerate(organisations):
        country = REGIONS[i % len(REGIONS)][2][fake.random_int(0, 2)]
        street, city, postal = fake.street_address(), fake.city(), fake.postcode()
        addresses.append(
            Address(
                party=org,
                kind=Address.Kind.BILLING,
                street=street,
                city=city,
                postal_code=postal,
                country=country,
                is_default=True,
            )
        )
        same = i % 3 != 0  # a third ship to a warehouse elsewhere
        addresses.append(
            Address(
                party=org,
                kind=Address.Kind.SHIPPING,
                street=street if same else fake.street_address(),
                city=city if same else fake.city(),
                postal_code=postal if same else fake.postcode(),
                country=country,
                is_default=True,
            )
        )
    Address.objects.bulk_create(addresses, batch_size=1000)

    people = []
    for i in range(PEOPLE):
        org = organisations[(i * 7) % len(organisations)]
        first, last = fake.first_name(), fake.last_name()
        person = Party(
            company=company,
            kind=Party.Kind.PERSON,
            name=f"{first} {last}",
            organisation=org,
            job_title=fake.job()[:120],
            is_customer=org.is_customer,
            is_prospect=org.is_prospect,
            is_supplier=org.is_supplier,
            email=f"{first}.{last}{i}@{org.domain}".lower(),
            phone=fake.numerify("+1 (###) 555-####"),
            region=org.region,
            owner=org.owner,
        )
        refresh_normal_forms(person)
        people.append(person)
    bulk_create_with_history(people, Party, batch_size=500)

    links = Party.tags.through
    tagged = Party.objects.filter(company=company).order_by("id").values_list("id", flat=True)
    Party.tags.through.objects.bulk_create(
        [
            links(party_id=pk, tag_id=tags[(i // 3) % len(tags)].pk)
            for i, pk in enumerate(tagged)
            if i % 3 == 0
        ],
        batch_size=1000,
    )
