"""Scan-friendly processing: codes add to done quantities, refusals leave all as it was,
validation moves what was scanned and puts the rest on a backorder."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.core.errors import InvalidInput
from keel.users.roles import Role

from ..errors import InvalidQuantity, MoreThanReserved
from ..models import StockLevel, StockMove, Transfer
from ..services import scanning, transfers, validation
from ..services.scanning import NotOnTransfer, UnknownCode
from .factories import delivery, product, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ready(company, wh):
    """WH holds 10 Widgets (barcode 4006381333931) and 5 Gadgets (SKU GAD, no barcode);
    a delivery of 3 Widgets and 2 Gadgets is confirmed and fully reserved."""
    widget = product(company, name="Widget", sku="WID", barcode="4006381333931")
    gadget = product(company, name="Gadget", sku="GAD")
    receive(wh, widget, 10)
    receive(wh, gadget, 5)
    out = transfers.create_transfer(
        company,
        kind=Transfer.Kind.DELIVERY,
        warehouse=wh,
        lines=[{"product": widget, "quantity": D(3)}, {"product": gadget, "quantity": D(2)}],
    )
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    return out, widget, gadget


def done_of(transfer) -> list[tuple[str, Decimal]]:
    return list(
        StockMove.objects.filter(transfer=transfer)
        .order_by("sequence")
        .values_list("product__sku", "quantity_done")
    )


def test_scans_by_barcode_and_sku_add_up_and_validation_moves_what_was_scanned(ready, wh):
    """Given the reserved delivery; When the Widget's barcode is scanned twice and the
    Gadget's SKU once with quantity 2; Then the done quantities read 2 and 2; When it is
    validated; Then 2 Widgets and 2 Gadgets leave WH/Stock, and the third Widget waits on
    a backorder with its reservation."""
    out, widget, gadget = ready
    first = scanning.scan(out.pk, "4006381333931")
    second = scanning.scan(out.pk, " 4006381333931 ")
    third = scanning.scan(out.pk, "GAD", "2")
    assert (first.done, second.done, second.expected) == (D(1), D(2), D(3))
    assert (third.product, third.done, third.expected) == (gadget, D(2), D(2))
    assert done_of(out) == [("WID", D(2)), ("GAD", D(2))]

    validation.validate(out.pk)

    out.refresh_from_db()
    assert out.status == Transfer.Status.DONE
    assert done_of(out) == [("WID", D(2)), ("GAD", D(2))]
    levels = dict(
        StockLevel.objects.filter(location=wh.stock_location, lot_key=0).values_list(
            "product__sku", "on_hand"
        )
    )
    assert levels == {"WID": D(8), "GAD": D(3)}
    backorder = Transfer.objects.get(backorder_of=out)
    rest = backorder.moves.get()
    assert (rest.product, rest.quantity, rest.quantity_reserved, rest.quantity_done) == (
        widget,
        D(1),
        D(1),
        D(0),
    )
    assert StockLevel.objects.get(product=widget, location=wh.stock_location).reserved == D(1)


@pytest.mark.parametrize(
    ("code", "quantity", "error", "message"),
    [
        ("NOPE", 1, UnknownCode, "No product, barcode, SKU, lot or serial number 'NOPE'."),
        ("OTHER", 1, NotOnTransfer, "[OTHER] Other is not on WH/OUT/00001."),
        ("WID", 4, MoreThanReserved, "[WID] Widget: 0 of 3 reserved already scanned"),
        ("", 1, InvalidInput, "Scan or type a code."),
        ("WID", 0, InvalidQuantity, "The quantity must be positive, not 0."),
    ],
)
def test_a_refused_scan_says_why_and_changes_nothing(
    ready, company, code, quantity, error, message
):
    """Given the reserved delivery (3 Widgets reserved) and a product Other not on it;
    When an unknown code, Other, 4 Widgets, an empty code or 0 is scanned; Then the scan
    is refused with the reason at the code field and nothing is scanned."""
    out, _, _ = ready
    product(company, name="Other", sku="OTHER")
    with pytest.raises(error) as refused:
        scanning.scan(out.pk, code, quantity)
    assert message in refused.value.detail
    assert refused.value.field in ("code", "quantity")
    assert done_of(out) == [("WID", D(0)), ("GAD", D(0))]


def test_a_receipt_scans_up_to_what_is_expected(company, wh):
    """Given a confirmed receipt of 2 Widgets; When 2 are scanned, Then a third is refused
    as more than expected, and validating receives 2."""
    widget = product(company, name="Widget", sku="WID", barcode="123")
    receipt = transfers.create_transfer(
        company,
        kind=Transfer.Kind.RECEIPT,
        warehouse=wh,
        lines=[{"product": widget, "quantity": D(2)}],
    )
    transfers.confirm(receipt.pk)
    scanning.scan(receipt.pk, "123", 2)
    with pytest.raises(InvalidQuantity, match="2 of 2 expected already scanned"):
        scanning.scan(receipt.pk, "123")
    validation.validate(receipt.pk)
    assert StockLevel.objects.get(product=widget, location=wh.stock_location).on_hand == D(2)


def test_a_lot_name_finds_its_product(company, wh):
    """Given 5 of a lot-tracked Serum received as lot L-1 and a reserved delivery of 2;
    When "L-1" is scanned; Then the Serum's move counts 1 done."""
    serum = product(company, name="Serum", sku="SER", tracking="lot")
    receive(wh, serum, 5, lots=[("L-1", "5", None)])
    out = delivery(wh, serum, D(2))
    transfers.confirm(out.pk)
    transfers.reserve(out.pk)
    scanned = scanning.scan(out.pk, "L-1")
    assert (scanned.product, scanned.lot.name, scanned.done) == (serum, "L-1", D(1))


SCAN = "/api/v1/transfers/{}/scan/"


def test_the_api_scans_refuses_and_forbids(ready, api_as, users):
    """Given the reserved delivery; When a clerk POSTs the Widget's barcode; Then 200 with
    done 1 of 3; When they POST 5 more, Then 400 more_than_reserved at `code`; When a
    sales rep (read only) POSTs a scan; Then 403 and nothing changes."""
    out, widget, _ = ready
    clerk = api_as(users[Role.WAREHOUSE_CLERK])
    ok = clerk.post(SCAN.format(out.pk), {"code": "4006381333931"}, format="json")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert (body["product"], body["done"], body["expected"], body["lot"]) == (
        widget.pk,
        "1.0000",
        "3.0000",
        None,
    )
    refused = clerk.post(SCAN.format(out.pk), {"code": "WID", "quantity": "5"}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "more_than_reserved"
    rep = api_as(users[Role.SALES_REP])
    forbidden = rep.post(SCAN.format(out.pk), {"code": "WID"}, format="json")
    assert forbidden.status_code == 403
    assert done_of(out) == [("WID", D(1)), ("GAD", D(0))]
