"""Fixtures of the sales tests: books, a warehouse with stock, goods, a price list,
a customer reached through CRM, and the people who sell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from keel.accounting.tests.factories import books as setup_books
from keel.accounting.tests.factories import tax
from keel.crm.services.opportunities import create_opportunity
from keel.crm.tests.factories import PipelineFactory
from keel.inventory.tests.factories import product, receive, warehouse
from keel.parties.services.parties import create_party
from keel.products.tests.factories import PriceListFactory, PriceListRuleFactory
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from .factories import customer

D = Decimal
MAY_4 = dt.date(2026, 5, 4)


@pytest.fixture
def books(company):
    return setup_books(company)


@pytest.fixture
def wh(company):
    return warehouse(company)


@pytest.fixture
def widget(company, books, wh):
    """Sells at 100.00 (the price list takes 10% off); 6 on hand at 60.00."""
    item = product(company, name="Widget", sku="WDG", sale_price=D("100.00"), cost_price=D("60"))
    receive(wh, item, 6, unit_cost="60.00", on_date=MAY_4)
    return item


@pytest.fixture
def gadget(company, books, wh):
    """Sells at 50.00 (no rule applies); 20 on hand at 30.00."""
    item = product(company, name="Gadget", sku="GDG", sale_price=D("50.00"), cost_price=D("30"))
    receive(wh, item, 20, unit_cost="30.00", on_date=MAY_4)
    return item


@pytest.fixture
def price_list(company, widget):
    """The company's default list: 10% off widgets."""
    found = PriceListFactory(company=company, name="Standard", is_default=True)
    PriceListRuleFactory(
        price_list=found, name="Widgets 10% off", product=widget, discount_percent=D("10")
    )
    return found


@pytest.fixture
def vat(company, books):
    return tax(company, "Sales tax 10%", "10")


@pytest.fixture
def pipeline(company):
    return PipelineFactory(company=company)


@pytest.fixture
def rep(company):
    return user_with_role(Role.SALES_REP, "rep.ann", company=company)


@pytest.fixture
def other_rep(company):
    return user_with_role(Role.SALES_REP, "rep.bob", company=company)


@pytest.fixture
def manager(company):
    return user_with_role(Role.SALES_MANAGER, "sales.manager", company=company)


@pytest.fixture
def acme(company):
    return customer(company, "Acme Corp", email="buyer@acme.example")


@pytest.fixture
def jane(company):
    """Acme's buyer, with an e-mail address."""
    return create_party(company=company, name="Jane Roe", email="jane.roe@acme.example")


@pytest.fixture
def deal(company, pipeline, acme, jane, rep):
    """Ann's open opportunity with Acme, Jane its contact."""
    return create_opportunity(
        company=company, name="Acme widgets", party=acme, owner=rep, contact=jane, by=rep
    )


@pytest.fixture
def signed_in():
    """signed_in(user) -> a test client with `user` logged in."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
