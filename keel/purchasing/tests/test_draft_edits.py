"""A buyer changes a draft purchase order before submitting it: vendor, reference,
date and lines, through orders.update_draft, in the workspace and the API. Only a
draft changes; lines are checked as on creation; a stale edit is refused; every
refusal leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from keel.core.errors import InvalidInput, StaleRecord
from keel.users.roles import Role
from keel.users.tests.factories import user_with_role

from ..errors import NoVendorPrice, OrderNotEditable
from ..models import PurchaseOrder
from ..services import orders, receipts
from .factories import JUNE_1, confirmed_order, price
from .snapshots import state

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/purchase-orders"


@pytest.fixture
def draft(company, wh, bracket, hinge, vendors, buyer):
    """PO to Acme: 10 brackets at 100.00 and 4 hinges at 5.00 = 1,020.00."""
    return orders.create_order(
        company,
        vendor=vendors["acme"],
        warehouse=wh,
        order_date=JUNE_1,
        lines=[
            {"product": bracket, "quantity": D("10"), "unit_price": D("100.00"), "lead_days": 0},
            {"product": hinge, "quantity": D("4"), "unit_price": D("5.00"), "lead_days": 0},
        ],
        by=buyer,
    )


@pytest.fixture
def clerk(company):
    return user_with_role(Role.WAREHOUSE_CLERK, company=company)


def lines_of(order_id: int) -> list[tuple]:
    return list(
        PurchaseOrder.objects.get(pk=order_id)
        .lines.order_by("sequence")
        .values_list("sequence", "product__sku", "quantity", "unit_price", "subtotal")
    )


def header_of(order_id: int) -> tuple:
    return PurchaseOrder.objects.values_list(
        "status", "vendor__name", "vendor_ref", "order_date", "amount_total", "version"
    ).get(pk=order_id)


# --- the service --------------------------------------------------------------------


def test_a_buyer_changes_supplier_lines_quantities_and_prices_of_a_draft(
    draft, company, bracket, hinge, vendors, buyer
):
    """Given the 1,020.00 draft to Acme and Bolt's hinge price of 4.25 (2 days);
    When the buyer moves it to Bolt, makes it 12 brackets at 95.50 (3 days) and 6
    hinges at Bolt's price; Then the draft holds exactly those lines, totals 1,171.50,
    is still a draft and is at version 2."""
    price(company, vendors["bolt"], hinge, "4.25", lead_days=2)

    # When
    changed = orders.update_draft(
        draft.pk,
        by=buyer,
        version=1,
        vendor=vendors["bolt"],
        vendor_ref="BOLT-77",
        lines=[
            {"product": bracket, "quantity": D("12"), "unit_price": D("95.50"), "lead_days": 3},
            {"product": hinge, "quantity": D("6")},
        ],
    )

    # Then
    assert changed.amount_total == D("1171.50")
    assert header_of(draft.pk) == ("draft", "Bolt & Co", "BOLT-77", JUNE_1, D("1171.50"), 2)
    assert lines_of(draft.pk) == [
        (1, "BRK", D("12"), D("95.50"), D("1146.00")),
        (2, "HNG", D("6"), D("4.25"), D("25.50")),
    ]
    assert list(draft.lines.order_by("sequence").values_list("expected_date", flat=True)) == [
        dt.date(2026, 6, 4),
        dt.date(2026, 6, 3),
    ]
    assert PurchaseOrder.objects.get(pk=draft.pk).updated_by == buyer


def test_a_new_date_moves_the_expected_dates_and_keeps_the_lines(draft, buyer):
    """Given the draft of June 1 (lead time 0); When only its date changes to June 8;
    Then the lines and total stay and each line is expected on June 8."""
    orders.update_draft(draft.pk, by=buyer, order_date=dt.date(2026, 6, 8))

    assert header_of(draft.pk) == ("draft", "Acme Metals", "", dt.date(2026, 6, 8), D("1020"), 2)
    assert lines_of(draft.pk) == [
        (1, "BRK", D("10"), D("100.00"), D("1000.00")),
        (2, "HNG", D("4"), D("5.00"), D("20.00")),
    ]
    assert set(draft.lines.values_list("expected_date", flat=True)) == {dt.date(2026, 6, 8)}


@pytest.mark.parametrize(
    ("lines", "error", "field", "message"),
    [
        ([], InvalidInput, "lines", "Give at least one line."),
        (
            [{"product": "bracket", "quantity": "0", "unit_price": "1"}],
            InvalidInput,
            "lines[1].quantity",
            "0 must be more than zero.",
        ),
        (
            [
                {"product": "bracket", "quantity": "1", "unit_price": "1"},
                {"product": "bracket", "quantity": "2", "unit_price": "1"},
            ],
            InvalidInput,
            "lines[2].product",
            "Line 2: [BRK] Steel bracket is already on another line; add the quantities.",
        ),
        (
            [{"product": "hinge", "quantity": "3"}],
            NoVendorPrice,
            "lines[1].unit_price",
            "Line 1: Acme Metals has no USD price for 3 x [HNG] Door hinge on 2026-06-01; "
            "give the unit price.",
        ),
        (
            [{"product": "hinge", "quantity": "3", "unit_price": "1", "lead_days": -1}],
            InvalidInput,
            "lines[1].lead_days",
            "Line 1: a lead time cannot be negative.",
        ),
    ],
)
def test_lines_are_checked_as_on_creation_and_a_refusal_changes_nothing(
    draft, buyer, bracket, hinge, lines, error, field, message
):
    """Given the draft; When the buyer sends lines creation would refuse; Then the
    same refusal names the field, and the draft is as it was."""
    products = {"bracket": bracket, "hinge": hinge}
    lines = [{**line, "product": products[line["product"]]} for line in lines]
    before = state()

    with pytest.raises(error) as refused:
        orders.update_draft(draft.pk, by=buyer, lines=lines)

    assert (refused.value.field, refused.value.detail) == (field, message)
    assert state() == before


def test_a_stale_edit_is_refused(draft, buyer, other_buyer, bracket):
    """Given the draft at version 1 that another buyer changed (version 2); When the
    first buyer saves their edit of version 1; Then it is refused and the other
    buyer's change stays."""
    orders.update_draft(draft.pk, by=other_buyer, version=1, vendor_ref="THEIRS")
    before = state()

    with pytest.raises(StaleRecord) as refused:
        orders.update_draft(
            draft.pk,
            by=buyer,
            version=1,
            lines=[{"product": bracket, "quantity": D("1"), "unit_price": D("1")}],
        )

    assert refused.value.detail == (
        f"{draft} was changed by someone else since you opened it (version 2, yours 1). "
        "Reload and apply your change again."
    )
    assert state() == before
    assert header_of(draft.pk)[2] == "THEIRS"


@pytest.mark.parametrize("stage", ["confirmed", "received"])
def test_a_sent_or_received_order_cannot_be_changed(
    company, books, wh, bracket, vendors, buyer, stage
):
    """Given an order sent to Acme (confirmed), or also received; When the buyer
    changes its quantity; Then it is refused because only a draft changes, and
    nothing changed."""
    order = confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)
    if stage == "received":
        line = order.lines.get()
        receipts.receive(order.pk, lines=[{"line": line.pk, "quantity": D("10")}])
    order.refresh_from_db()
    before = state()

    with pytest.raises(OrderNotEditable) as refused:
        orders.update_draft(order.pk, by=buyer, lines=[{"product": bracket, "quantity": D("20")}])

    assert refused.value.detail == (
        f"{order} is {stage}; only a draft purchase order can be changed."
    )
    assert state() == before


# --- the API: PATCH a draft with If-Match --------------------------------------------


def test_the_api_changes_a_draft_against_the_version_read(api_as, draft, bracket, vendors, buyer):
    """Given the draft read at version 1 (ETag "1"); When the buyer PATCHes Bolt and
    20 brackets at 9.75 with that ETag as If-Match; Then the answer is the draft at
    195.00 with ETag "2", and the hinge line is gone."""
    client = api_as(buyer)
    read = client.get(f"{API}/{draft.pk}/")
    assert (read.json()["version"], read["ETag"]) == (1, '"1"')

    response = client.patch(
        f"{API}/{draft.pk}/",
        {
            "vendor": vendors["bolt"].pk,
            "lines": [{"product": bracket.pk, "quantity": "20", "unit_price": "9.75"}],
        },
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert response["ETag"] == '"2"'
    assert (body["status"], body["vendor_name"], body["amount_total"], body["version"]) == (
        "draft",
        "Bolt & Co",
        "195.0000",
        2,
    )
    assert [
        (x["product"], x["quantity"], x["unit_price"], x["subtotal"]) for x in body["lines"]
    ] == [(bracket.pk, "20.0000", "9.7500", "195.0000")]
    assert lines_of(draft.pk) == [(1, "BRK", D("20"), D("9.75"), D("195.00"))]


def test_the_api_refuses_a_stale_patch_with_412(api_as, draft, buyer, other_buyer):
    """Given the draft another buyer changed to version 2; When the buyer PATCHes with
    If-Match "1"; Then 412 stale_record and nothing changed."""
    orders.update_draft(draft.pk, by=other_buyer, vendor_ref="THEIRS")
    before = state()

    response = api_as(buyer).patch(
        f"{API}/{draft.pk}/", {"vendor_ref": "MINE"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 412
    assert response.json()["code"] == "stale_record"
    assert state() == before


def test_the_api_refuses_to_change_a_sent_order_with_409(
    api_as, company, books, wh, bracket, vendors, buyer
):
    """Given an order sent to Acme; When the buyer PATCHes its lines; Then 409
    order_not_editable, and nothing changed."""
    order = confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)
    before = state()

    response = api_as(buyer).patch(
        f"{API}/{order.pk}/",
        {"lines": [{"product": bracket.pk, "quantity": "1", "unit_price": "1"}]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "order_not_editable",
        "detail": f"{order} is confirmed; only a draft purchase order can be changed.",
        "field": "status",
    }
    assert state() == before


def test_a_role_that_cannot_create_orders_cannot_change_a_draft(api_as, draft, clerk):
    """Given a warehouse clerk (who sees and receives orders but does not create them);
    When they PATCH the draft; Then 403 and nothing changed."""
    before = state()

    response = api_as(clerk).patch(f"{API}/{draft.pk}/", {"vendor_ref": "X"}, format="json")

    assert response.status_code == 403
    assert state() == before


# --- the workspace page --------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit_url(order) -> str:
    return f"/w/purchasing/orders/{order.pk}/edit/"


def _form(order, vendor, rows, version=1, vendor_ref="") -> dict:
    """The page's POST: header, the seen version and line rows (product pk, quantity,
    unit price, lead days)."""
    data = {
        "vendor": vendor.pk,
        "vendor_ref": vendor_ref,
        "order_date": "2026-06-01",
        "seen_version": version,
        "lines-TOTAL_FORMS": len(rows),
        "lines-INITIAL_FORMS": 0,
    }
    for i, (product, quantity, unit_price, lead_days) in enumerate(rows):
        data |= {
            f"lines-{i}-product": product.pk if product else "",
            f"lines-{i}-quantity": quantity,
            f"lines-{i}-unit_price": unit_price,
            f"lines-{i}-lead_days": lead_days,
        }
    return data


def test_the_buyer_changes_a_draft_on_its_page(draft, bracket, hinge, vendors, buyer):
    """Given the draft; When the buyer presses "Change draft" on it, sees its lines,
    and saves 15 brackets at 99.00 and 4 hinges at 5.00 with an empty spare row; Then
    the draft is saved at 1,505.00 and the order's page says so."""
    client = _client(buyer)
    record = client.get(f"/purchasing/purchaseorder/{draft.pk}/change/").content.decode()
    assert f"/purchasing/purchaseorder/{draft.pk}/edit/" in record
    opened = client.get(f"/purchasing/purchaseorder/{draft.pk}/edit/", follow=True)
    html = opened.content.decode()
    assert opened.redirect_chain == [(_edit_url(draft), 302)]
    assert 'name="seen_version" value="1"' in html
    assert 'name="lines-0-quantity" value="10.0000"' in html
    assert 'name="lines-TOTAL_FORMS" value="4"' in html  # two lines, two spare rows

    # When
    saved = client.post(
        _edit_url(draft),
        _form(
            draft,
            vendors["acme"],
            [(bracket, "15", "99.00", "0"), (hinge, "4", "5.00", "0"), (None, "", "", "")],
        ),
        follow=True,
    )

    # Then
    assert saved.redirect_chain == [(f"/purchasing/purchaseorder/{draft.pk}/change/", 302)]
    assert f"{draft} saved: 1,505.00 USD." in saved.content.decode()
    assert header_of(draft.pk) == ("draft", "Acme Metals", "", JUNE_1, D("1505.00"), 2)
    assert lines_of(draft.pk) == [
        (1, "BRK", D("15"), D("99.00"), D("1485.00")),
        (2, "HNG", D("4"), D("5.00"), D("20.00")),
    ]


def test_a_refused_line_shows_at_its_row_with_the_input_kept(draft, bracket, hinge, vendors, buyer):
    """Given the draft; When the buyer saves the brackets twice; Then the second row
    says why, every typed value is still there, and nothing changed."""
    before = state()

    response = _client(buyer).post(
        _edit_url(draft),
        _form(draft, vendors["acme"], [(bracket, "3", "1.00", "0"), (bracket, "7", "2.00", "0")]),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'data-testid="error-lines-1-product">Line 2: \[BRK\] Steel bracket is already on another '
        r"line; add the quantities.<",
        html,
    )
    assert 'name="lines-1-quantity" value="7"' in html
    assert 'name="lines-1-unit_price" value="2.00"' in html
    assert state() == before


def test_a_stale_draft_page_is_refused_at_the_form_with_the_input_kept(
    draft, bracket, vendors, buyer, other_buyer
):
    """Given the buyer opened the draft at version 1 and another buyer then changed it
    (version 2); When the first buyer saves 99 brackets; Then the page says the order
    changed since, their 99 is still in the row, and the other buyer's change stays."""
    client = _client(buyer)
    assert 'name="seen_version" value="1"' in client.get(_edit_url(draft)).content.decode()
    orders.update_draft(draft.pk, by=other_buyer, version=1, vendor_ref="THEIRS")
    before = state()

    response = client.post(
        _edit_url(draft), _form(draft, vendors["acme"], [(bracket, "99", "1.00", "0")])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f"{draft} was changed by someone else since you opened it (version 2, yours 1). "
        "Reload the page and apply your change again." in html
    )
    assert 'name="lines-0-quantity" value="99"' in html
    assert state() == before
    assert header_of(draft.pk)[2] == "THEIRS"


def test_a_sent_order_has_no_change_page(company, books, wh, bracket, vendors, buyer):
    """Given an order sent to Acme; Then its page offers no "Change draft"; opening the
    change page leads back with the reason; posting to it is refused at the form; and
    nothing changed."""
    order = confirmed_order(company, wh, vendors["acme"], [(bracket, 10, "100.00")], by=buyer)
    client = _client(buyer)
    before = state()
    reason = f"{order} is confirmed; only a draft purchase order can be changed."

    record = client.get(f"/purchasing/purchaseorder/{order.pk}/change/").content.decode()
    opened = client.get(_edit_url(order), follow=True)
    posted = client.post(
        _edit_url(order),
        _form(order, vendors["acme"], [(bracket, "1", "1", "0")], version=order.version),
    )

    assert f"/purchasing/purchaseorder/{order.pk}/edit/" not in record
    assert opened.redirect_chain == [(f"/purchasing/purchaseorder/{order.pk}/change/", 302)]
    assert reason in opened.content.decode()
    assert posted.status_code == 200
    assert reason in posted.content.decode()
    assert state() == before


def test_a_clerk_has_no_change_page(draft, bracket, vendors, clerk):
    """Given a warehouse clerk; Then the draft's page offers no "Change draft" and the
    change page refuses them (403) on GET and POST; nothing changed."""
    client = _client(clerk)
    before = state()

    record = client.get(f"/purchasing/purchaseorder/{draft.pk}/change/")
    opened = client.get(_edit_url(draft))
    posted = client.post(
        _edit_url(draft), _form(draft, vendors["acme"], [(bracket, "1", "1", "0")])
    )

    assert record.status_code == 200
    assert f"/purchasing/purchaseorder/{draft.pk}/edit/" not in record.content.decode()
    assert (opened.status_code, posted.status_code) == (403, 403)
    assert state() == before
