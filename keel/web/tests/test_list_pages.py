"""The workspace lists of the busiest records stay light as a company grows: a page of
50 rows within a size budget, a fixed number of queries, and search, filters, sorting
and export still doing what people rely on (bench/lists.py measures the demo)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.base import ModelState
from django.test import Client
from django.test.utils import CaptureQueriesContext
from unfold.templatetags import unfold_list

from keel.accounting.models import Invoice, Payment
from keel.accounting.services.payments import register_payment
from keel.accounting.tests.factories import books, invoice
from keel.core.tests.factories import CompanyFactory
from keel.crm.models import Lead, Opportunity
from keel.crm.tests.factories import LeadFactory, PipelineFactory
from keel.crm.tests.factories_pipeline import OpportunityFactory
from keel.inventory.models import Transfer
from keel.inventory.tests.factories import product, receive, warehouse
from keel.parties.models import Party
from keel.parties.tests.factories import RegionFactory, TagFactory
from keel.products.models import Product
from keel.sales.models import Quotation, SalesOrder
from keel.sales.services import orders
from keel.sales.tests.factories import customer, quotation
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

pytestmark = pytest.mark.django_db
D = Decimal
MANY = 300  # customers and products: six pages' worth
DOCUMENTS = 120  # of each document: more than two pages


def clone(record, times: int, **vary) -> None:
    """`times` copies of `record` inserted in one go; each field in `vary` is a function
    of the copy's index (numbers and names that must differ)."""
    copies = []
    for i in range(times):
        twin = copy.copy(record)
        twin._state = ModelState()
        twin.pk = twin.id = None
        for field, value in vary.items():
            setattr(twin, field, value(i))
        copies.append(twin)
    type(record).objects.bulk_create(copies)


@pytest.fixture
def busy(company, users):
    """Given a company with 300 customers, 300 products and 120 of each document, each
    made once through its service and then copied."""
    rep = users[Role.SALES_REP]
    books(company)
    wh = warehouse(company)
    item = product(company, name="Widget", sku="WDG", sale_price=D("100.00"), cost_price=D("60"))
    receive(wh, item, 10, unit_cost="60.00")
    acme = customer(company, "Acme Corp", owner=rep)
    draft = quotation(company, acme, wh, [{"product": item, "quantity": 1}], by=rep)
    sold = quotation(company, acme, wh, [{"product": item, "quantity": 1}], by=rep)
    order = orders.confirm(sold.pk, by=rep, on_date=dt.date(2026, 6, 1))
    bill = invoice(company, acme)
    paid = register_payment(
        company, party=acme, amount=D("100.00"), date=dt.date(2026, 1, 20), invoices=[bill.pk]
    )
    lead = LeadFactory(company=company, owner=rep)
    deal = OpportunityFactory(company=company, pipeline=PipelineFactory(company=company), owner=rep)
    clone(acme, MANY - 1, name=lambda i: f"Customer {i:03d}", owner=lambda i: None)
    clone(item, MANY - 1, name=lambda i: f"Item {i:03d}", sku=lambda i: f"SKU{i:03d}")
    clone(draft, DOCUMENTS - 1, number=lambda i: f"SQ/C{i:03d}")
    clone(order, DOCUMENTS - 1, number=lambda i: f"SO/C{i:03d}", quotation=lambda i: None)
    clone(bill, DOCUMENTS - 1, number=lambda i: f"INV/C{i:03d}", entry=lambda i: None)
    clone(paid, DOCUMENTS - 1, number=lambda i: f"PAY/C{i:03d}", entry=lambda i: None)
    clone(lead, DOCUMENTS - 1, email=lambda i: f"lead{i}@prospect.example")
    clone(deal, DOCUMENTS - 1, name=lambda i: f"Deal {i:03d}")
    delivery = Transfer.objects.get(kind=Transfer.Kind.DELIVERY)
    clone(delivery, DOCUMENTS - 1, number=lambda i: f"WH/OUT/C{i:03d}")
    return {"acme": acme, "rep": rep}


# page, URL, model, who opens it, queries, HTML budget in KB (measured, plus about 10 %)
PAGES = [
    ("quotations", "/sales/quotation/", Quotation, Role.SALES_MANAGER, 7, 460),
    ("orders", "/sales/salesorder/", SalesOrder, Role.SALES_MANAGER, 7, 490),
    ("invoices", "/accounting/invoice/", Invoice, Role.ACCOUNTANT, 9, 350),
    ("customers", "/parties/party/", Party, Role.SALES_MANAGER, 15, 510),
    ("products", "/products/product/", Product, Role.SALES_MANAGER, 8, 385),
    ("leads", "/crm/lead/", Lead, Role.SALES_MANAGER, 9, 435),
    ("opportunities", "/crm/opportunity/", Opportunity, Role.SALES_MANAGER, 10, 460),
    ("deliveries", "/inventory/transfer/", Transfer, Role.WAREHOUSE_CLERK, 8, 325),
    ("payments", "/accounting/payment/", Payment, Role.ACCOUNTANT, 7, 315),
]


@pytest.mark.parametrize(
    ("page", "url", "model", "role", "queries", "budget_kb"), PAGES, ids=[p[0] for p in PAGES]
)
def test_a_busy_list_shows_50_rows_in_fixed_queries_within_its_budget(
    busy, users, page, url, model, role, queries, budget_kb
):
    """Given more records than two pages hold; When a user opens the list, Then it shows
    the first 50 in a fixed number of queries (none per row, no second count of the
    whole table) and its HTML stays under the page's budget."""
    client = Client()
    client.force_login(users[role])
    client.get(url)  # the session and the menu warm up once
    # When
    with CaptureQueriesContext(connection) as seen:
        response = client.get(url)
    # Then
    assert response.status_code == 200
    assert model.objects.count() >= 2 * 50 + 1
    assert len(response.context["cl"].result_list) == 50
    assert response.context["cl"].full_result_count is None
    spent = {"queries": len(seen), "KB": len(response.content) // 1000}
    assert spent["queries"] == queries and spent["KB"] <= budget_kb, spent


def list_of(client, url) -> tuple[list[str], int]:
    """The names the list shows, in order, and how many records it found."""
    response = client.get(url)
    assert response.status_code == 200
    cl = response.context["cl"]
    return [str(record) for record in cl.result_list], cl.result_count


def test_the_customer_list_still_searches_filters_and_sorts(busy, users):
    """Given 300 customers, one of them (Acme Corp) the rep's;
    When a manager filters by owner, searches a name or sorts by name descending,
    Then the list narrows or orders exactly so, across the whole table, not one page."""
    client = Client()
    client.force_login(users[Role.SALES_MANAGER])
    rep = busy["rep"]
    # When filtered by the rep as owner (the drop-down's parameter)
    assert list_of(client, f"/parties/party/?owner__id__exact={rep.pk}") == (["Acme Corp"], 1)
    # When searched: every word must match, so "Customer 29" finds 029, 129, 229, 290-298
    names, found = list_of(client, "/parties/party/?q=Customer+29")
    wanted = ["029", "129", "229", *(str(n) for n in range(290, 299))]
    assert (names, found) == ([f"Customer {n}" for n in wanted], 12)
    # When sorted by name, descending: the last customer comes first, all still found
    names, found = list_of(client, "/parties/party/?o=-1")
    assert (names[:2], found) == (["Customer 298", "Customer 297"], Party.objects.count())


def test_the_quotation_export_still_holds_every_record_not_one_page(busy, users):
    """Given 121 quotations (120 drafts and the confirmed one); When a manager exports
    the list as CSV, Then the file holds all 121 (the page shows 50)."""
    client = Client()
    client.force_login(users[Role.SALES_MANAGER])
    # When
    response = client.post("/sales/quotation/export/", {"format": "0", "resource": "0"})
    # Then
    assert response.status_code == 200
    rows = response.content.decode().splitlines()
    assert (rows[0].split(",")[0], len(rows) - 1) == ("id", 121)


def test_the_customer_filters_offer_only_the_companys_own_regions_tags_and_owners(company, users):
    """Given a region, a tag and a salesperson in our company and in another one;
    When a manager opens the customer list, Then each drop-down offers ours alone."""
    other = CompanyFactory(name="Other Ltd")
    for owner, label in [(company, "Ours"), (other, "Theirs")]:
        RegionFactory(company=owner, name=f"{label} region")
        TagFactory(company=owner, name=f"{label} tag")
    stranger = user_with_role(Role.SALES_REP, "their.rep", company=other)
    client = Client()
    client.force_login(users[Role.SALES_MANAGER])
    # When
    response = client.get("/parties/party/")
    # Then
    offered = {
        spec.field_path: [label for _, label in spec.lookup_choices]
        for spec in response.context["cl"].filter_specs
        if spec.field_path in {"region", "tags", "owner"}
    }
    assert offered["region"] == ["Ours region"]
    assert offered["tags"] == ["Ours tag"]
    assert str(stranger) not in offered["owner"]
    assert sorted(offered["owner"]) == sorted(str(user) for user in users.values())


def without_tokens(html: bytes) -> str:
    """The page without its CSRF tokens (masked anew on every response)."""
    return re.sub(r'(csrfmiddlewaretoken" value=|csrfToken\W+)"?[\w-]+', r"\1", html.decode())


@pytest.mark.parametrize("url", ["/sales/quotation/", "/crm/lead/"])
def test_sharing_headers_and_badges_draws_the_very_page_unfold_draws(busy, users, url, monkeypatch):
    """Given the busy lists (badges of several statuses, sortable headers); When a page
    is drawn with Keel's shared headers and badges and again with unfold's own (as
    after an unfold upgrade that changed them); Then both pages are the same, byte for
    byte but for the CSRF tokens."""
    client = Client()
    client.force_login(users[Role.SALES_MANAGER])
    client.get(url)
    ours = without_tokens(client.get(url).content)
    monkeypatch.setattr(unfold_list, "result_headers", unfold_list.result_headers.unfold)
    monkeypatch.setattr(unfold_list, "display_for_label", unfold_list.display_for_label.unfold)
    theirs = without_tokens(client.get(url).content)
    assert ours.count("<tr") >= 51
    assert ours == theirs
