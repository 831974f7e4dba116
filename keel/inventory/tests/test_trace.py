"""Traceability of a lot: the receipt and supplier it came from, the internal moves,
the deliveries and customers it went to, where it is now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from keel.parties.tests.factories import OrganisationFactory
from keel.users.roles import Role

from ..selectors import trace_lot
from ..services import transfers, validation
from .factories import bin_in, product

pytestmark = pytest.mark.django_db
D = Decimal
MAY = dt.date(2026, 5, 4)


def day(offset: int) -> dt.date:
    return MAY + dt.timedelta(days=offset)


def run(transfer, on_date, done=None):
    transfers.confirm(transfer.pk)
    if transfer.kind != "receipt":
        transfers.reserve(transfer.pk)
    return validation.validate(transfer.pk, done=done, on_date=on_date)


@pytest.fixture
def story(company, wh):
    """Given lot L-7 of 10 Milk received on 4 May from Dairy Co, moved to bins A (4)
    and B (6) on 5 May, 4 delivered to Acme (from A) on 6 May and 5 to Globex on 7 May
    (from B); another lot L-8 of 3 received alongside."""
    milk = product(company, name="Milk", sku="MILK", tracking="lot")
    dairy = OrganisationFactory(company=company, name="Dairy Co", is_supplier=True)
    acme = OrganisationFactory(company=company, name="Acme")
    globex = OrganisationFactory(company=company, name="Globex")
    receipt = transfers.create_transfer(
        company,
        kind="receipt",
        warehouse=wh,
        partner=dairy,
        scheduled_date=MAY,
        lines=[{"product": milk, "quantity": D(13)}],
    )
    move = receipt.moves.get()
    transfers.confirm(receipt.pk)
    validation.validate(
        receipt.pk,
        done=[
            {"move": move.pk, "quantity": D(10), "lot": "L-7", "expiry_date": day(60)},
            {"move": move.pk, "quantity": D(3), "lot": "L-8", "expiry_date": day(90)},
        ],
        on_date=MAY,
    )
    shelves = {}
    for name, quantity in (("A", 4), ("B", 6)):
        shelves[name] = bin_in(wh, name)
        internal = transfers.create_transfer(
            company,
            kind="internal",
            warehouse=wh,
            source=wh.stock_location,
            destination=shelves[name],
            scheduled_date=day(1),
            lines=[{"product": milk, "quantity": D(quantity)}],
        )
        transfers.confirm(internal.pk)
        transfers.reserve(internal.pk)
        line = internal.moves.get().lines.get()
        assert line.lot.name == "L-7"  # FEFO: the earlier expiry
        validation.validate(internal.pk, on_date=day(1))
    for partner, source, quantity, offset in ((acme, "A", 4, 2), (globex, "B", 5, 3)):
        out = transfers.create_transfer(
            company,
            kind="delivery",
            warehouse=wh,
            partner=partner,
            source=shelves[source],
            scheduled_date=day(offset),
            lines=[{"product": milk, "quantity": D(quantity)}],
        )
        run(out, day(offset))
    return milk


def test_a_lot_traced_up_and_down(story, django_assert_num_queries):
    """When L-7 is traced; Then it came in by WH/IN/00001 from Dairy Co (10), moved by
    WH/INT/00001 to A (4) and WH/INT/00002 to B (6), went out by WH/OUT/00001 to Acme (4)
    and WH/OUT/00002 to Globex (5), and 1 is left in WH/Stock/B; in two queries."""
    from ..models import Lot

    lot = Lot.objects.get(name="L-7")
    with django_assert_num_queries(2):
        trace = trace_lot(lot)
    assert [(s.number, s.partner, s.destination, s.quantity, s.date) for s in trace.upstream] == [
        ("WH/IN/00001", "Dairy Co", "WH/Stock", D(10), MAY)
    ]
    assert [(s.number, s.source, s.destination, s.quantity) for s in trace.internal] == [
        ("WH/INT/00001", "WH/Stock", "WH/Stock/A", D(4)),
        ("WH/INT/00002", "WH/Stock", "WH/Stock/B", D(6)),
    ]
    assert [(s.number, s.partner, s.source, s.quantity, s.date) for s in trace.downstream] == [
        ("WH/OUT/00001", "Acme", "WH/Stock/A", D(4), day(2)),
        ("WH/OUT/00002", "Globex", "WH/Stock/B", D(5), day(3)),
    ]
    assert trace.on_hand == [("WH/Stock/B", D(1))]
    other = trace_lot(Lot.objects.get(name="L-8"))
    assert (len(other.upstream), other.internal, other.downstream) == (1, [], [])
    assert other.on_hand == [("WH/Stock", D(3))]


def test_the_trace_through_the_api_and_the_lot_page(story, users, api_as):
    """A clerk reads the trace of L-7 through the API and on the lot's page; an
    accountant is refused both (403)."""
    from ..models import Lot

    lot = Lot.objects.get(name="L-7")
    url = f"/api/v1/lots/{lot.pk}/trace/"
    body = api_as(users[Role.WAREHOUSE_CLERK]).get(url)
    assert body.status_code == 200
    data = body.json()
    assert [(s["number"], s["partner_name"], s["quantity"]) for s in data["downstream"]] == [
        ("WH/OUT/00001", "Acme", "4.0000"),
        ("WH/OUT/00002", "Globex", "5.0000"),
    ]
    assert data["upstream"][0]["partner_name"] == "Dairy Co"
    assert data["on_hand"] == [{"location": "WH/Stock/B", "quantity": "1.0000"}]
    assert api_as(users[Role.ACCOUNTANT]).get(url).status_code == 403
    client = Client()
    client.force_login(users[Role.WAREHOUSE_CLERK])
    page = client.get(reverse("admin:inventory_lot_change", args=[lot.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Traceability" in content and "Dairy Co" in content and "Globex" in content
    assert "WH/Stock/B" in content
    refused = Client()
    refused.force_login(users[Role.ACCOUNTANT])
    assert refused.get(reverse("admin:inventory_lot_change", args=[lot.pk])).status_code == 403
