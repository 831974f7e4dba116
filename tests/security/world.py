"""The company the access matrix runs in: a user per role, and one record of each
owned kind (party, lead, opportunity, activity, quotation, order, invoice) belonging
to a sales rep and one to a colleague rep."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Max

from keel.accounting.tests.factories import books, invoice
from keel.crm.services.activities import create_activity
from keel.crm.services.opportunities import create_opportunity
from keel.crm.tests.factories import LeadFactory, PipelineFactory
from keel.inventory.tests.factories import product, receive, warehouse
from keel.sales.services.orders import confirm
from keel.sales.tests.factories import JUNE_1, customer, quotation
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

MISSING_PK = 987654321


@dataclass
class World:
    company: object
    users: dict
    rep: object
    colleague: object
    # model -> {"own": record, "colleague": record}
    owned: dict = field(default_factory=dict)

    def records_of(self, model) -> dict:
        """The rep's and the colleague's record of an owned kind; any one row otherwise."""
        if model in self.owned:
            return self.owned[model]
        row = model._default_manager.order_by("pk").first()
        return {"any": row} if row is not None else {}


def build_world(company, users) -> World:
    rep = users[Role.SALES_REP]
    colleague = user_with_role(Role.SALES_REP, "rep.colleague", company=company)
    books(company)
    wh = warehouse(company)
    widget = product(company, name="Widget", sku="WDG", sale_price=Decimal("100.00"))
    receive(wh, widget, 10, unit_cost="60.00", on_date=dt.date(2026, 5, 4))
    pipeline = PipelineFactory(company=company)
    world = World(company=company, users=users, rep=rep, colleague=colleague)
    for key, owner in (("own", rep), ("colleague", colleague)):
        party = customer(company, f"Customer of {owner.username}", owner=owner)
        lead = LeadFactory(company=company, owner=owner)
        deal = create_opportunity(
            company=company,
            name=f"Deal of {owner.username}",
            party=party,
            owner=owner,
            pipeline=pipeline,
            by=owner,
        )
        task = create_activity(
            company=company,
            kind="call",
            subject="Call back",
            about=deal,
            assignee=owner,
            by=owner,
        )
        quote = quotation(company, party, wh, [{"product": widget, "quantity": 1}], by=owner)
        ordered = quotation(company, party, wh, [{"product": widget, "quantity": 1}], by=owner)
        order = confirm(ordered.pk, by=owner, on_date=JUNE_1)
        bill = invoice(company, party)
        for record in (party, lead, deal, task, quote, order, bill):
            world.owned.setdefault(type(record), {})[key] = record
    return world


def fingerprint() -> dict:
    """Row count and highest id of every Keel table: a refused write leaves it unchanged."""
    seen = {}
    for model in apps.get_models():
        if not model.__module__.startswith("keel.") or model._meta.proxy:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        stamps = {"rows": Count("pk")}
        if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}:
            stamps["top"] = Max("pk")
        for stamp in ("updated_at", "version", "status"):
            if stamp in names:
                stamps[stamp] = Max(stamp)
        seen[model._meta.label] = model._default_manager.aggregate(**stamps)
    return seen
