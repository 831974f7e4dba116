"""`keel check` reads sales' series: quotations (once per number, whatever their
revisions), orders and returns are gapless, and a number changed behind the services'
back (raw SQL, as a bug or a bad import would) is reported with the exact numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from keel.core import invariants
from keel.core.tests.invariants import assert_invariants_hold, run_keel_check

from ..models import Quotation, SalesOrder
from ..services import orders, quotations, returns, revisions
from .factories import quotation

pytestmark = pytest.mark.django_db
JUNE_1, JUNE_2 = dt.date(2026, 6, 1), dt.date(2026, 6, 2)


def sql(statement: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def gapless() -> list[tuple[str, str]]:
    return [(v.subject, v.detail) for v in invariants.run(only=["numbers-gapless"])]


@pytest.fixture
def sold(company, wh, gadget, acme, rep):
    """SQ/00001 sent and revised (rev 2 keeps the number), SQ/00002 confirmed as
    SO/00001, delivered and invoiced, and RMA/00001 taking one gadget back."""
    first = quotation(company, acme, wh, [{"product": gadget, "quantity": 1}], by=rep)
    quotations.send(first.pk, by=rep)
    revision = revisions.revise(first.pk, by=rep, quote_date=JUNE_1)
    second = quotation(company, acme, wh, [{"product": gadget, "quantity": 2}], by=rep)
    order = orders.confirm(second.pk, by=rep, on_date=JUNE_1)
    orders.deliver(order.pk, on_date=JUNE_2, by=rep)
    orders.invoice(order.pk, on_date=JUNE_2, by=rep)
    line = order.lines.get()
    rma = returns.create_return(
        order.pk, lines=[{"line": line.pk, "quantity": 1}], reason="scratched", by=rep
    )
    assert [str(first), str(revision), str(second), order.number, rma.number] == [
        "SQ/00001",
        "SQ/00001 rev 2",
        "SQ/00002",
        "SO/00001",
        "RMA/00001",
    ]
    return {"quotation": second, "order": order, "return": rma}


def test_sales_series_with_a_revised_quotation_are_gapless(company, sold):
    """Given a quotation with two revisions sharing SQ/00001, an order and a return;
    Then numbers-gapless passes: a revision is not a repeated number."""
    assert_invariants_hold(company, only=["numbers-gapless"])
    assert run_keel_check("--only", "numbers-gapless")[0] == 0


def test_a_renumbered_sales_order_is_reported(company, sold):
    """Given SO/00001 renumbered SO/00007 in SQL; Then keel check reports SO/00001
    missing and SO/00007 past the series' next number SO/00002, and exits 1."""
    sql("UPDATE sales_salesorder SET number = %s WHERE id = %s", ["SO/00007", sold["order"].pk])
    assert gapless() == [
        ("series SO/… (sales.order)", "1 number(s) missing of the 1 issued: SO/00001"),
        (
            "series SO/… (sales.order)",
            "1 number(s) at or past the next number SO/00002: SO/00007",
        ),
    ]
    code, output = run_keel_check("--only", "numbers-gapless")
    assert code == 1
    assert (
        f"FAIL numbers-gapless [{company.name}] series SO/… (sales.order): "
        "1 number(s) missing of the 1 issued: SO/00001" in output
    )


def test_a_repeated_return_number_is_reported(company, sold, wh, gadget, acme, rep):
    """Given a second return, RMA/00002, renumbered RMA/00001 in SQL; Then keel check
    reports RMA/00001 used twice and RMA/00002 missing."""
    order = sold["order"]
    returns.cancel(sold["return"].pk, by=rep, reason="sent the wrong box")
    second = returns.create_return(
        order.pk, lines=[{"line": order.lines.get().pk, "quantity": 1}], reason="dent", by=rep
    )
    # Two returns may not share a number, so the first one's is moved aside first.
    sql("UPDATE sales_returnauthorisation SET number = '' WHERE id = %s", [sold["return"].pk])
    sql("UPDATE sales_returnauthorisation SET number = %s WHERE id = %s", ["RMA/00001", second.pk])
    assert gapless() == [
        ("series RMA/… (sales.return)", "1 number(s) missing of the 2 issued: RMA/00002"),
    ]
    code, output = run_keel_check("--only", "numbers-gapless")
    assert code == 1
    assert (
        f"FAIL numbers-gapless [{company.name}] series RMA/… (sales.return): "
        "1 number(s) missing of the 2 issued: RMA/00002" in output
    )


def test_a_renumbered_quotation_is_reported_once_for_all_its_revisions(company, sold):
    """Given SQ/00002 renumbered SQ/00001 rev 3 in SQL (rev 1 and 2 of SQ/00001 stay);
    Then SQ/00002 is missing; and renumbering the first revision of SQ/00001 to SQ/00005
    reports SQ/00005 past the next number SQ/00003."""
    sql(
        "UPDATE sales_quotation SET number = %s, revision = 3 WHERE id = %s",
        ["SQ/00001", sold["quotation"].pk],
    )
    assert gapless() == [
        ("series SQ/… (sales.quotation)", "1 number(s) missing of the 2 issued: SQ/00002"),
    ]
    first = Quotation.objects.get(number="SQ/00001", revision=1)
    sql("UPDATE sales_quotation SET number = %s WHERE id = %s", ["SQ/00005", first.pk])
    code, output = run_keel_check("--only", "numbers-gapless")
    assert code == 1
    assert (
        f"FAIL numbers-gapless [{company.name}] series SQ/… (sales.quotation): "
        "1 number(s) at or past the next number SQ/00003: SQ/00005" in output
    )
    assert SalesOrder.objects.count() == 1
