"""A year of the demo company's stock, run day by day through the services:

- on the 1st (Central warehouse) and 2nd (East coast depot) of every month each bin
  receives from its supplier what brings its products back to their shelf level
  (lots named after the warehouse and day, with an expiry date; serial numbers one
  per unit), at the cost price give or take a few per cent;
- every goods line of the accounting demo's posted customer invoices leaves the
  Central warehouse on the invoice's date, to the invoice's customer (the
  delivery's origin is the invoice);
- the goods of the customer credit notes come back (the same lots and serials);
- once a week each warehouse delivers other products to the CRM demo's customers;
- every quarter one bin of each warehouse is counted, a few lines found short or
  over, and the adjustment posted;
- today, three deliveries wait reserved and each warehouse expects a receipt.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from keel.accounting.models import Invoice, InvoiceLine
from keel.parties.models import Party
from keel.parties.services.parties import create_party
from keel.products.models import Product

from .models import CountLine, Location, MoveLine, Transfer
from .services import counts, transfers, validation
from .services.locations import virtual_location

if TYPE_CHECKING:
    from .demo import Stock

D = Decimal
ZERO = D(0)
SEED = 2026
SHIPPING_WAREHOUSE = "MAIN"  # where the invoiced goods leave from
CUSTOMERS = 24  # the CRM demo customers the accounting demo invoices
# Units kept on the shelf of each category, and a delivery line's least and most.
SHELF_LEVEL = {
    "furniture": 12,
    "computers": 5,
    "networking": 4,
    "cables": 60,
    "printing": 20,
    "supplies": 40,
    "pantry": 48,
    "hygiene": 36,
}
PACE = {
    "furniture": (1, 3),
    "computers": (1, 2),
    "networking": (1, 2),
    "cables": (5, 20),
    "printing": (2, 6),
    "supplies": (4, 12),
    "pantry": (6, 18),
    "hygiene": (4, 12),
}
SAFETY = 4  # units of invoiced goods kept beyond the month's invoices (counts may lose some)
PER_UNIT = {"g": 250, "m": 25}  # tea is sold by the gram, network cable by the metre
SUPPLIER_OF = {  # category -> position among the demo suppliers
    "furniture": 2,  # the accounting demo's hardware distributor
    "computers": 2,
    "networking": 2,
    "cables": 4,
    "printing": 5,
    "supplies": 5,
    "pantry": 6,
    "hygiene": 7,
}
RECEIPT_DAY = {"MAIN": 1, "EAST": 2}
COUNT_MONTHS = 3  # a count every third month, on the 20th


def months(start: dt.date, today: dt.date) -> list[dt.date]:
    """The first day of every month from `start` to `today`."""
    found, month = [], start
    while month <= today:
        found.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return found


class Year:
    """Plans the year's receipts, deliveries and counts and runs them in date order,
    keeping what each warehouse holds so that no delivery asks for more."""

    def __init__(self, stock: Stock, today: dt.date):
        self.stock, self.company, self.today = stock, stock.company, today
        # The accounting demo's year: the first of the month eleven months back.
        self.start = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
        self.rng = random.Random(SEED)
        self.held: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self.serials: dict[int, int] = defaultdict(int)
        self.plan: list[tuple[dt.date, int, int, Callable[[], None]]] = []
        self.by = (
            get_user_model().objects.filter(company=self.company, username="warehouse").first()
        )
        self.customers, self.suppliers = self._parties()
        self.invoiced = self._invoiced()
        # What the invoices take of each product, by month: what MAIN must hold then.
        self.month_demand: dict[tuple[dt.date, int], Decimal] = defaultdict(Decimal)
        for invoice, lines in self.invoiced:
            for product_id, quantity in lines:
                self.month_demand[(invoice.date.replace(day=1), product_id)] += quantity
        self.invoiced_products = {pk for _, pk in self.month_demand}

    # -- who and what -----------------------------------------------------------------

    def _parties(self) -> tuple[list[Party], list[Party]]:
        organisations = Party.objects.filter(
            company=self.company, kind=Party.Kind.ORGANISATION
        ).order_by("pk")
        customers = list(organisations.filter(is_customer=True)[:CUSTOMERS])
        suppliers = list(organisations.filter(is_supplier=True, is_customer=False)[:8])
        if not customers:
            customers = [create_party(company=self.company, name="Acme Corp", is_customer=True)]
        if not suppliers:
            suppliers = [
                create_party(
                    company=self.company, name="Atlas Hardware Distribution", is_supplier=True
                )
            ]
        return customers, suppliers

    def _invoiced(self) -> list[tuple[Invoice, list[tuple[int, Decimal]]]]:
        """The goods lines of the posted customer invoices of the year, by invoice."""
        lines = (
            InvoiceLine.objects.filter(
                invoice__company=self.company,
                invoice__kind=Invoice.Kind.CUSTOMER_INVOICE,
                invoice__status=Invoice.Status.POSTED,
                invoice__date__range=(self.start, self.today),
                product_id__in=list(self.stock.products),
            )
            .select_related("invoice__party")
            .order_by("invoice__date", "invoice_id", "id")
        )
        by_invoice: dict[int, tuple[Invoice, list]] = {}
        for line in lines:
            by_invoice.setdefault(line.invoice_id, (line.invoice, []))[1].append(
                (line.product_id, D(line.quantity))
            )
        return list(by_invoice.values())

    def scale(self, product: Product) -> int:
        return PER_UNIT.get(product.uom.symbol, 1)

    def level_of(self, code: str, product: Product, month: dt.date, factor: int = 1) -> Decimal:
        """What a receipt brings the shelf back to: the month's invoices plus a margin
        for invoiced goods where they ship from, the category's shelf level otherwise."""
        if code == SHIPPING_WAREHOUSE and product.pk in self.invoiced_products:
            return self.month_demand[(month, product.pk)] + SAFETY * factor
        return D(SHELF_LEVEL[self.stock.group_of[product.pk]] * self.scale(product) * factor)

    def on(self, day: dt.date, order: int, action: Callable[[], None]) -> None:
        """Run `action` on `day`; receipts (0) before counts (1) before deliveries (2)."""
        if day <= self.today:
            self.plan.append((day, order, len(self.plan), action))

    def run(self) -> None:
        for _day, _order, _position, action in sorted(self.plan, key=lambda p: p[:3]):
            action()

    # -- receipts -----------------------------------------------------------------------

    def plan_receipts(self, month: dt.date) -> None:
        for code, shelves in self.stock_shelves().items():
            day = month.replace(day=RECEIPT_DAY[code])
            for bin_name in shelves:
                self.on(day, 0, lambda c=code, b=bin_name, d=day: self.receive(c, b, d))

    def stock_shelves(self) -> dict[str, list[str]]:
        shelves: dict[str, list[str]] = defaultdict(list)
        for code, bin_name in self.stock.bins:
            shelves[code].append(bin_name)
        return shelves

    def products_on(self, code: str, bin_name: str) -> list[Product]:
        products = self.stock.products
        return [
            products[pk]
            for (c, pk), shelf in self.stock.shelf_of.items()
            if c == code and shelf == bin_name
        ]

    def receive(self, code: str, bin_name: str, day: dt.date, *, validate=True, factor=1):
        """A receipt into the bin of what its products lack (below `factor` times their
        level), validated with lots and serial numbers (left confirmed when `validate`
        is False)."""
        month = day.replace(day=1)
        wanted = []
        for product in self.products_on(code, bin_name):
            level = self.level_of(code, product, month, factor)
            missing = level - self.held[(code, product.pk)]
            if missing > 0:
                drift = D(1) + D(self.rng.randint(-4, 6)) / 100
                cost = (product.cost_price * drift).quantize(D("0.01"))
                wanted.append({"product": product, "quantity": missing, "unit_cost": cost})
        if not wanted:
            return None
        group = self.stock.group_of[wanted[0]["product"].pk]
        supplier = self.suppliers[SUPPLIER_OF[group] % len(self.suppliers)]
        receipt = transfers.create_transfer(
            self.company,
            kind=Transfer.Kind.RECEIPT,
            warehouse=self.stock.warehouses[code],
            partner=supplier,
            scheduled_date=day,
            destination=self.stock.bins[(code, bin_name)],
            lines=wanted,
            by=self.by,
        )
        transfers.confirm(receipt.pk, by=self.by)
        if not validate:
            return receipt
        done = []
        moves = receipt.moves.order_by("sequence").values_list("pk", "product_id", "quantity")
        for move_id, product_id, quantity in moves:
            done.extend(
                self._arrived(code, day, move_id, self.stock.products[product_id], quantity)
            )
            self.held[(code, product_id)] += quantity
        return validation.validate(receipt.pk, done=done, on_date=day, by=self.by)

    def _arrived(self, code, day, move_id, product: Product, quantity: Decimal) -> list[dict]:
        """What arrived of one move: one lot with its expiry, one line per serial number,
        or just the quantity."""
        if product.tracking == Product.Tracking.SERIAL:
            lines = []
            for _ in range(int(quantity)):
                self.serials[product.pk] += 1
                serial = f"{product.sku}-{self.serials[product.pk]:05d}"
                lines.append({"move": move_id, "quantity": D(1), "lot": serial})
            return lines
        line = {"move": move_id, "quantity": quantity}
        if product.tracking == Product.Tracking.LOT:
            keeps = self.stock.shelf_life[product.pk]
            line["lot"] = f"{code}-{day:%y%m%d}"
            line["expiry_date"] = day + dt.timedelta(days=keeps) if keeps else None
        return [line]

    # -- deliveries ---------------------------------------------------------------------

    def deliver(self, code, customer, day, lines, *, origin=None, validate=True) -> Transfer:
        """A delivery of `lines` [(product, quantity)], confirmed, reserved and (unless
        told otherwise) validated on `day`."""
        out = transfers.create_transfer(
            self.company,
            kind=Transfer.Kind.DELIVERY,
            warehouse=self.stock.warehouses[code],
            partner=customer,
            scheduled_date=day,
            lines=[{"product": product, "quantity": quantity} for product, quantity in lines],
            origin=origin,
            by=self.by,
        )
        transfers.confirm(out.pk, by=self.by)
        transfers.reserve(out.pk, by=self.by)
        for product, quantity in lines:
            self.held[(code, product.pk)] -= quantity
        if validate:
            return validation.validate(out.pk, on_date=day, by=self.by)
        return out

    def plan_invoiced(self) -> None:
        products = self.stock.products
        for invoice, lines in self.invoiced:

            def ship(invoice=invoice, lines=lines) -> None:
                code = SHIPPING_WAREHOUSE
                asked = [(products[pk], min(q, self.held[(code, pk)])) for pk, q in lines]
                asked = [(product, q) for product, q in asked if q > 0]
                if asked:
                    self.deliver(code, invoice.party, invoice.date, asked, origin=invoice)

            self.on(invoice.date, 2, ship)

    def plan_weekly(self) -> None:
        day = self.start
        while day <= self.today:
            for code in self.stock.warehouses:
                when = day + dt.timedelta(days=self.rng.randint(0, 6))
                self.on(when, 2, lambda c=code, w=when: self.deliver_some(c, w))
            day += dt.timedelta(days=7)

    def choose(self, code: str, least: int, most: int) -> list[tuple[Product, Decimal]]:
        """A few products the warehouse holds (not the invoiced goods where those ship
        from), in quantities at the category's pace and never more than it holds."""
        reserved_for_invoices = self.invoiced_products if code == SHIPPING_WAREHOUSE else set()
        held = sorted(
            pk
            for (c, pk), quantity in self.held.items()
            if c == code and quantity > 0 and pk not in reserved_for_invoices
        )
        picked = self.rng.sample(held, min(len(held), self.rng.randint(least, most)))
        lines = []
        for pk in sorted(picked):
            product = self.stock.products[pk]
            low, high = PACE[self.stock.group_of[pk]]
            wanted = D(self.rng.randint(low, high) * self.scale(product))
            lines.append((product, min(wanted, self.held[(code, pk)])))
        return lines

    def deliver_some(self, code: str, day: dt.date, *, validate: bool = True):
        # One delivery a week of many lines: each transfer costs four service calls.
        lines = self.choose(code, 6, 14)
        if lines:
            customer = self.rng.choice(self.customers)
            return self.deliver(code, customer, day, lines, validate=validate)
        return None

    # -- returns ------------------------------------------------------------------------

    def plan_returns(self) -> None:
        """The goods on the posted customer credit notes come back to the Central
        warehouse on the credit note's date: the lots and serial numbers that left with
        the credited invoice, valued at the cost they left with."""
        lines = (
            InvoiceLine.objects.filter(
                invoice__company=self.company,
                invoice__kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE,
                invoice__status=Invoice.Status.POSTED,
                invoice__reversed_invoice__isnull=False,
                invoice__date__range=(self.start, self.today),
                product_id__in=list(self.stock.products),
            )
            .select_related("invoice__party")
            .order_by("invoice__date", "invoice_id", "id")
        )
        by_credit: dict[int, tuple[Invoice, list]] = {}
        for line in lines:
            by_credit.setdefault(line.invoice_id, (line.invoice, []))[1].append(
                (self.stock.products[line.product_id], D(line.quantity))
            )
        for credit, returned in by_credit.values():
            self.on(credit.date, 0, lambda c=credit, r=returned: self.take_back(c, r))

    def take_back(self, credit: Invoice, returned: list[tuple[Product, Decimal]]) -> None:
        code = SHIPPING_WAREHOUSE
        invoice_type = ContentType.objects.get_for_model(Invoice)
        delivered = MoveLine.objects.filter(
            move__transfer__origin_type=invoice_type,
            move__transfer__origin_id=str(credit.reversed_invoice_id),
            move__transfer__status=Transfer.Status.DONE,
            quantity_done__gt=0,
        ).select_related("lot")
        lots: dict[int, list[MoveLine]] = defaultdict(list)
        for line in delivered.order_by("id"):
            lots[line.product_id].append(line)
        back = [
            (p, min(q, sum((ln.quantity_done for ln in lots[p.pk]), ZERO))) for p, q in returned
        ]
        back = [(product, quantity) for product, quantity in back if quantity > 0]
        if not back:
            return
        receipt = transfers.create_transfer(
            self.company,
            kind=Transfer.Kind.RECEIPT,
            warehouse=self.stock.warehouses[code],
            partner=credit.party,
            scheduled_date=credit.date,
            source=virtual_location(self.company, Location.Usage.CUSTOMER),
            lines=[{"product": product, "quantity": quantity} for product, quantity in back],
            origin=credit,
            note=f"Returned against {credit.number}",
            by=self.by,
        )
        transfers.confirm(receipt.pk, by=self.by)
        done = []
        moves = receipt.moves.order_by("sequence").values_list("pk", "product_id", "quantity")
        for move_id, product_id, quantity in moves:
            left = quantity
            for line in lots[product_id]:  # the same lots and serials that left
                take = min(left, line.quantity_done)
                if take <= 0:
                    break
                lot = line.lot.name if line.lot else ""
                done.append({"move": move_id, "quantity": take, "lot": lot})
                left -= take
            self.held[(code, product_id)] += quantity
        validation.validate(receipt.pk, done=done, on_date=credit.date, by=self.by)

    # -- counts -------------------------------------------------------------------------

    def plan_counts(self, month: dt.date, position: int) -> None:
        for code, shelves in self.stock_shelves().items():
            bin_name = shelves[position % len(shelves)]
            day = month.replace(day=20)
            self.on(day, 1, lambda c=code, b=bin_name, d=day: self.count(c, b, d))

    def count(self, code: str, bin_name: str, day: dt.date) -> None:
        """Count a bin: about one line in eight is found short or over (a serial number
        is missing, never found twice)."""
        sheet = counts.start_count(
            self.company, location=self.stock.bins[(code, bin_name)], on_date=day, by=self.by
        )
        found = []
        for line in CountLine.objects.filter(count=sheet).select_related("lot").order_by("id"):
            product = self.stock.products[line.product_id]
            counted = line.expected
            # Serial numbers go missing far less often than a box of wipes is miscounted.
            odds = 0.02 if product.tracking == Product.Tracking.SERIAL else 0.125
            if self.rng.random() < odds:
                if product.tracking == Product.Tracking.SERIAL:
                    counted = ZERO
                else:
                    counted = max(ZERO, counted + self.rng.choice((-2, -1, 1, 2)))
            self.held[(code, product.pk)] += counted - line.expected
            found.append(
                {"product": product, "lot": line.lot.name if line.lot else "", "counted": counted}
            )
        counts.record_counts(sheet.pk, lines=found, by=self.by)
        counts.validate_count(sheet.pk, on_date=day, by=self.by)

    # -- today --------------------------------------------------------------------------

    def leave_open(self) -> None:
        """What is under way today: three deliveries reserved for the coming days and a
        receipt expected in each warehouse (a larger order, for the season)."""
        for days in (1, 2, 3):
            self.deliver_some(
                SHIPPING_WAREHOUSE, self.today + dt.timedelta(days=days), validate=False
            )
        for code, shelves in self.stock_shelves().items():
            day = self.today + dt.timedelta(days=5)
            self.receive(code, shelves[0], day, validate=False, factor=2)


def load(stock: Stock, today: dt.date) -> None:
    year = Year(stock, today)
    for position, month in enumerate(months(year.start, today)):
        year.plan_receipts(month)
        if position % COUNT_MONTHS == COUNT_MONTHS - 1:
            year.plan_counts(month, position // COUNT_MONTHS)
    year.plan_invoiced()
    year.plan_returns()
    year.plan_weekly()
    year.run()
    year.leave_open()
