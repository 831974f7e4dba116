"""Fixtures of the analytics tests: the sales fixtures (books, a warehouse with
widgets and gadgets, reps and a manager) and two customers sold to through the real
services, with every date fixed so ages and cycle times are exact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keel.accounting.models import Invoice
from keel.accounting.services.payments import register_payment
from keel.core.models import StatusChange
from keel.crm.models import Lead, Opportunity
from keel.crm.services import conversion, leads
from keel.parties.models import Party
from keel.parties.services.parties import update_party
from keel.parties.tests.factories import RegionFactory, SalesChannelFactory
from keel.sales.models import Quotation, SalesOrder
from keel.sales.services import orders, quotations
from keel.sales.tests.conftest import books, gadget, manager, other_rep, pipeline, rep, wh, widget
from keel.sales.tests.factories import customer, quotation
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

__all__ = ["books", "gadget", "manager", "other_rep", "pipeline", "rep", "wh", "widget"]

D = Decimal


def day(month: int, number: int) -> dt.date:
    return dt.date(2026, month, number)


def at(when: dt.date) -> dt.datetime:
    """Nine in the morning of `when`, in the workspace's time zone."""
    return timezone.make_aware(dt.datetime.combine(when, dt.time(9)))


@dataclass
class Sold:
    acme: Party
    globex: Party
    lead: Lead
    opportunity: Opportunity
    acme_order: SalesOrder
    globex_order: SalesOrder
    acme_invoice: Invoice
    globex_invoice: Invoice


@pytest.fixture
def accountant(company):
    return user_with_role(Role.ACCOUNTANT, "accountant", company=company)


@pytest.fixture
def clerk(company):
    return user_with_role(Role.WAREHOUSE_CLERK, "clerk", company=company)


@pytest.fixture
def sold(company, books, wh, widget, gadget, pipeline, rep, other_rep) -> Sold:
    """Ann's web lead from Acme (25 May) becomes an opportunity (27 May), a quotation
    of 3 widgets at 100.00 and 4 gadgets at 50.00 (1 June, sent that day), an order
    (2 June), delivered 5 June, invoiced 8 June (500.00) and paid 20 June. Bob quotes
    Globex 2 widgets at 100.00 on 10 June, confirms it that day, delivers 12 June and
    invoices 1 July (200.00, unpaid). Widgets cost 60.00, gadgets 30.00."""
    north = RegionFactory(company=company, name="North")
    web = SalesChannelFactory(company=company, name="Web")
    south = RegionFactory(company=company, name="South")
    partners = SalesChannelFactory(company=company, name="Partners")

    captured = leads.capture_lead(
        company=company,
        source="web_form",
        owner=rep,
        by=rep,
        first_name="Jane",
        last_name="Roe",
        email="jane.roe@acme.example",
        organisation_name="Acme Corp",
    )
    lead = conversion.convert_lead(
        captured.lead.pk, by=rep, opportunity_name="Acme widgets", amount=D("500.00")
    )
    opportunity = Opportunity.objects.get(lead=lead)
    # Record creation stamps "now"; the story happened in May.
    Lead.objects.filter(pk=lead.pk).update(created_at=at(day(5, 25)))
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=at(day(5, 27)))
    acme = update_party(opportunity.party_id, region=north, channel=web, owner=rep)

    offer = quotations.create_quotation(
        company,
        opportunity=opportunity,
        warehouse=wh,
        quote_date=day(6, 1),
        lines=[{"product": widget, "quantity": 3}, {"product": gadget, "quantity": 4}],
        by=rep,
    )
    quotations.send(offer.pk, by=rep)
    StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Quotation), object_id=str(offer.pk)
    ).update(changed_at=at(day(6, 1)))
    acme_order = orders.confirm(offer.pk, by=rep, on_date=day(6, 2))
    orders.deliver(acme_order.pk, on_date=day(6, 5), by=rep)
    acme_invoice = orders.invoice(acme_order.pk, on_date=day(6, 8), by=rep)
    register_payment(
        company, party=acme, amount=D("500.00"), date=day(6, 20), invoices=[acme_invoice.pk]
    )

    globex = customer(
        company,
        "Globex",
        owner=other_rep,
        region=south,
        channel=partners,
        credit_limit=D("1000.00"),
    )
    direct = quotation(
        company,
        globex,
        wh,
        [{"product": widget, "quantity": 2}],
        by=other_rep,
        quote_date=day(6, 10),
    )
    globex_order = orders.confirm(direct.pk, by=other_rep, on_date=day(6, 10))
    orders.deliver(globex_order.pk, on_date=day(6, 12), by=other_rep)
    globex_invoice = orders.invoice(globex_order.pk, on_date=day(7, 1), by=other_rep)
    return Sold(
        acme=acme,
        globex=globex,
        lead=lead,
        opportunity=opportunity,
        acme_order=SalesOrder.objects.get(pk=acme_order.pk),
        globex_order=SalesOrder.objects.get(pk=globex_order.pk),
        acme_invoice=acme_invoice,
        globex_invoice=globex_invoice,
    )
