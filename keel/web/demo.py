"""The demo company: deterministic (Faker with a fixed seed), one user per role.

Each domain adds its part in `<domain>/demo.py` as `load(company, fake)`;
they run in tier order, so lower tiers' records exist for higher ones.
"""

from __future__ import annotations

from importlib import import_module

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from faker import Faker

from keel.core.models import Company
from keel.users.roles import Role
from keel.users.services.roles import ensure_roles

SEED = 2026
DEMO_PASSWORD = "keel-demo"  # noqa: S105 (documented in docs/getting-started.md; demo only)
COMPANY_NAME = "Northwind Keel Ltd"

# username for each role's demo user
DEMO_USERS: dict[Role, str] = {
    Role.ADMINISTRATOR: "admin",
    Role.SALES_REP: "sales.rep",
    Role.SALES_MANAGER: "sales.manager",
    Role.MARKETING: "marketing",
    Role.SERVICE_AGENT: "service",
    Role.ACCOUNTANT: "accountant",
    Role.WAREHOUSE_CLERK: "warehouse",
    Role.BUYER: "buyer",
    Role.PRODUCTION_PLANNER: "planner",
    Role.HR_OFFICER: "hr",
    Role.PROJECT_MANAGER: "projects",
    Role.EMPLOYEE: "employee",
    Role.AUDITOR: "auditor",
}

# Domains that contribute demo data, lowest tier first.
DEMO_DOMAINS: list[str] = [
    "parties",
    "products",
    "crm",
    "accounting",
    "inventory",
    "purchasing",
    "sales",
]


@transaction.atomic
def load_demo() -> Company:
    """Create the demo company and its users; a second run changes nothing."""
    ensure_roles()
    existing = Company.objects.filter(name=COMPANY_NAME).first()
    if existing:
        return existing
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    company = Company.objects.create(
        name=COMPANY_NAME, legal_name=f"{COMPANY_NAME}.", currency="USD", country="US"
    )
    User = get_user_model()
    for role, username in DEMO_USERS.items():
        first, last = fake.first_name(), fake.last_name()
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            email=f"{username}@northwind.example",
            first_name=first,
            last_name=last,
            title=str(role),
            company=company,
            is_staff=True,  # every role works in the workspace
            is_superuser=False,
        )
        user.groups.add(Group.objects.get(name=str(role)))
    for domain in DEMO_DOMAINS:
        import_module(f"keel.{domain}.demo").load(company, fake)
    return company
