"""A year of the demo company's trade, posted day by day through the services:

- ten customer invoices a month to the CRM demo's customers, with catalogue
  lines at VAT 20% or 5.5%, on 15 or 30 days or 30% now and 70% at month end;
  most are paid around their due dates, the first of each month never is (so
  aged receivables fill every bucket) and the sixth only in part;
- one invoice in EUR a quarter to a European customer, paid at the next
  month's rate (the exchange difference is posted when it is settled);
- two invoices cancelled, one credited in part and one in full, the credit
  notes reconciled with them;
- five vendor bills a month (rent, electricity, two hardware purchases,
  freight) paid when due, and the payroll paid from the bank each month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from keel.core.money import round_money
from keel.products.models import Product

from .models import Account, Invoice, Payment
from .services import invoices, posting
from .services.payment_terms import instalments
from .services.payments import register_payment
from .services.reconciliation import reconcile_documents

if TYPE_CHECKING:
    from .demo import Books

D = Decimal
ZERO, ONE = D(0), D(1)
INVOICES_PER_MONTH = 10
LATE, PARTIAL = 0, 5  # the invoice of each month (by position) never paid, paid in part
CANCELLED = {7: "Billed to the wrong customer", 70: "Duplicate of an earlier invoice"}
CREDITED_IN_PART, CREDITED_IN_FULL = 30, 100  # positions in the year
CAPITAL, PAYROLL, RENT = D("80000.00"), D("16500.00"), D("4200.00")

# sku, description, unit price, tax, (least, most) quantity
CATALOGUE = [
    ("FUR-DESK-160", "Desk 160x80 oak", "449.00", "standard", (2, 12)),
    ("FUR-CHR-ERGO", "Ergonomic office chair", "289.00", "standard", (2, 16)),
    ("FUR-CAB-3D", "Drawer cabinet, 3 drawers", "179.00", "standard", (1, 8)),
    ("CMP-LAP-14", "Laptop 14in, 16 GB", "1199.00", "standard", (1, 6)),
    ("CMP-MON-27", "Monitor 27in 4K", "399.00", "standard", (2, 10)),
    ("CMP-DOCK-USBC", "USB-C docking station", "219.00", "standard", (2, 10)),
    ("SUP-PAPER-A4", "Copy paper A4, 500 sheets", "5.49", "reduced", (10, 80)),
    ("SUP-COFFEE", "Coffee beans", "18.50", "reduced", (2, 12)),
    ("SUP-TONER-BK", "Toner cartridge, black", "79.00", "standard", (2, 10)),
    ("SRV-INSTALL", "On-site installation", "95.00", "standard", (2, 16)),
    ("SRV-TRAINING", "Software training", "120.00", "reduced", (4, 16)),
    ("SRV-CONSULT", "Workplace consulting", "140.00", "standard", (4, 24)),
]
# What the hardware distributor bills: the goods we resell, at cost.
PURCHASES = [
    ("FUR-DESK-160", "Desk 160x80 oak", "260.00"),
    ("FUR-CHR-ERGO", "Ergonomic office chair", "150.00"),
    ("CMP-LAP-14", "Laptop 14in, 16 GB", "890.00"),
    ("CMP-MON-27", "Monitor 27in 4K", "260.00"),
    ("CMP-DOCK-USBC", "USB-C docking station", "130.00"),
]
EUR_SERVICES = [("Workplace consulting (EUR)", "130.00"), ("Software training (EUR)", "110.00")]


class Agenda:
    """Actions by day, run in date order; an action may plan later ones."""

    def __init__(self, today: dt.date):
        self.today = today
        self.days: dict[dt.date, list[Callable[[], None]]] = defaultdict(list)

    def on(self, day: dt.date, action: Callable[[], None]) -> None:
        if day <= self.today:
            self.days[day].append(action)

    def run(self) -> None:
        while self.days:
            day = min(self.days)
            actions = self.days[day]
            position = 0
            while position < len(actions):  # same-day actions may add more
                actions[position]()
                position += 1
            del self.days[day]


def _month_name(day: dt.date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


class Year:
    """Plans the year's documents on an agenda and posts them when their day comes."""

    def __init__(self, books: Books):
        self.books, self.rng, self.company = books, books.rng, books.company
        self.agenda = Agenda(books.today)
        skus = [row[0] for row in CATALOGUE] + [row[0] for row in PURCHASES]
        self.products = {
            p.sku: p for p in Product.objects.filter(company=self.company, sku__in=skus)
        }
        self.sold = 0

    # -- customer invoices ------------------------------------------------------

    def _sale_lines(self) -> list[dict]:
        rng = self.rng
        lines = []
        for sku, description, price, tax, (least, most) in rng.sample(CATALOGUE, rng.randint(1, 4)):
            lines.append(
                {
                    "product": self.products.get(sku),
                    "description": description,
                    "quantity": D(rng.randint(least, most)),
                    "unit_price": D(price),
                    "discount": D(10) if rng.random() < 0.15 else ZERO,
                    "taxes": [self.books.taxes[tax]],
                }
            )
        return lines

    def _term(self):
        terms, draw = self.books.terms, self.rng.random()
        if draw < 0.5:
            return terms["net30"]
        if draw < 0.75:
            return terms["net15"]
        return terms["split"] if draw < 0.92 else None

    def plan_sales(self, month: dt.date) -> None:
        last = calendar.monthrange(month.year, month.month)[1]
        days = sorted(self.rng.randint(1, last) for _ in range(INVOICES_PER_MONTH))
        for position, day in enumerate(days):
            customer = self.rng.choice(self.books.customers)
            lines, term = self._sale_lines(), self._term()
            delays = [self.rng.choice((-4, 0, 0, 1, 3, 6, 10, 15, 24)) for _ in range(2)]
            self.agenda.on(
                month.replace(day=day),
                self._sale(month.replace(day=day), customer, lines, term, position, delays),
            )

    def _sale(self, day, customer, lines, term, position, delays):
        def action() -> None:
            self.sold += 1
            number = self.sold
            invoice = self._post(Invoice.Kind.CUSTOMER_INVOICE, customer, day, lines, term)
            if number in CANCELLED:
                later = day + dt.timedelta(days=3)
                self.agenda.on(later, lambda: self._cancel(invoice, later, CANCELLED[number]))
            elif number == CREDITED_IN_FULL:
                self._credit(invoice, day + dt.timedelta(days=5), None, pay=False)
            elif number == CREDITED_IN_PART:
                self._credit(invoice, day + dt.timedelta(days=10), lines[:1], pay=True)
            elif position == PARTIAL:
                self._pay_part(invoice, delays[0])
            elif position != LATE:
                self._pay_when_due(invoice, term, delays)

        return action

    def _post(self, kind, party, day, lines, term=None, **fields) -> Invoice:
        draft = invoices.create_invoice(
            self.company, party=party, date=day, lines=lines, kind=kind, payment_term=term, **fields
        )
        return invoices.post_invoice(draft.pk)

    def _pay_when_due(self, invoice: Invoice, term, delays: list[int], inbound=True) -> None:
        """One payment per instalment, `delays` days after each falls due."""
        parts = instalments(term, invoice.amount_total, invoice.date, invoice.currency)
        for part, delay in zip(parts, delays, strict=False):
            day = max(part.due_date + dt.timedelta(days=delay), invoice.date + dt.timedelta(days=1))
            self.agenda.on(day, self._payment(invoice, part.amount, day, inbound))

    def _pay_part(self, invoice: Invoice, delay: int) -> None:
        amount = round_money(invoice.amount_total * D("0.4"), invoice.currency)
        day = (invoice.due_date or invoice.date) + dt.timedelta(days=max(delay, 1))
        self.agenda.on(day, self._payment(invoice, amount, day, True))

    def _payment(self, invoice: Invoice, amount: Decimal, day: dt.date, inbound: bool):
        def action() -> None:
            register_payment(
                self.company,
                party=invoice.party,
                amount=amount,
                date=day,
                direction=Payment.Direction.INBOUND if inbound else Payment.Direction.OUTBOUND,
                invoices=[invoice.pk],
                currency=invoice.currency,
                memo=invoice.number if inbound else f"{invoice.ref} {invoice.number}".strip(),
            )

        return action

    def _cancel(self, invoice: Invoice, day: dt.date, reason: str) -> None:
        invoices.cancel_invoice(invoice.pk, date=day, reason=reason)

    def _credit(self, invoice: Invoice, day: dt.date, lines, *, pay: bool) -> None:
        def action() -> None:
            draft = invoices.credit_note_for(invoice.pk, date=day, lines=lines)
            credit = invoices.post_invoice(draft.pk)
            reconcile_documents([invoice.pk, credit.pk], date=day)
            if pay:
                left = invoice.amount_total - credit.amount_total
                paid_on = max(invoice.due_date, day) + dt.timedelta(days=2)
                self.agenda.on(paid_on, self._payment(invoice, left, paid_on, True))

        self.agenda.on(day, action)

    def plan_export(self, month: dt.date) -> None:
        """A quarterly invoice in EUR, without VAT (an export), paid 40 days later."""
        day = month.replace(day=12)
        lines = [
            {"description": name, "quantity": D(self.rng.randint(12, 40)), "unit_price": D(price)}
            for name, price in EUR_SERVICES
        ]
        customer = self.books.foreign_customer

        def action() -> None:
            invoice = self._post(
                Invoice.Kind.CUSTOMER_INVOICE,
                customer,
                day,
                lines,
                self.books.terms["net30"],
                currency="EUR",
            )
            paid_on = day + dt.timedelta(days=40)
            self.agenda.on(paid_on, self._payment(invoice, invoice.amount_total, paid_on, True))

        self.agenda.on(day, action)

    # -- vendor bills and the bank ------------------------------------------------

    def _bill_line(self, description, price, tax, quantity=ONE, product=None) -> dict:
        return {
            "product": product,
            "description": description,
            "quantity": quantity,
            "unit_price": price,
            "taxes": [self.books.taxes[tax]],
        }

    def plan_bills(self, month: dt.date) -> None:
        rng, terms, line = self.rng, self.books.terms, self._bill_line
        landlord, power, distributor, freight = self.books.suppliers[:4]
        name = _month_name(month)
        electricity = D(rng.randint(38_000, 64_000)) / 100
        carriage = D(rng.randint(300, 900))
        bills = [
            (landlord, 1, None, 2, [line(f"Office rent {name}", RENT, "input_standard")]),
            (
                power,
                8,
                terms["net15"],
                0,
                [line(f"Electricity {name}", electricity, "input_reduced")],
            ),
            (freight, 24, terms["net30"], 1, [line(f"Freight {name}", carriage, "input_standard")]),
        ]
        for _ in range(2):  # the distributor delivers twice a month
            goods = [
                line(
                    description,
                    D(cost),
                    "input_standard",
                    D(rng.randint(5, 20)),
                    self.products.get(sku),
                )
                for sku, description, cost in rng.sample(PURCHASES, rng.randint(1, 3))
            ]
            bills.append(
                (distributor, rng.randint(3, 26), terms["net30"], rng.randint(0, 3), goods)
            )
        for supplier, day, term, delay, lines in bills:
            when = month.replace(day=day)
            self.agenda.on(when, self._bill(supplier, when, lines, term, delay))

    def _bill(self, supplier, day, lines, term, delay):
        def action() -> None:
            ref = f"{supplier.name.split()[0][:4].upper()}-{day:%y%m%d}"
            bill = self._post(Invoice.Kind.VENDOR_BILL, supplier, day, lines, term, ref=ref)
            self._pay_when_due(bill, term, [delay], inbound=False)

        return action

    def plan_payroll(self, month: dt.date) -> None:
        day = month.replace(day=28)
        self.agenda.on(
            day, lambda: self._post_entries(day, f"Salaries {_month_name(day)}", PAYROLL)
        )

    def _post_entries(self, day: dt.date, ref: str, amount: Decimal) -> None:
        lines = [
            posting.Line(role="salaries", debit=amount, label=ref),
            posting.Line(role="bank", credit=amount, label=ref),
        ]
        posting.post_entries(
            self.company, [posting.EntrySpec(self.books.journals["BNK"], day, lines, ref=ref)]
        )


def _capital(books: Books) -> None:
    equity = Account.objects.get(company=books.company, code="3000")
    posting.post_entries(
        books.company,
        [
            posting.EntrySpec(
                journal=books.journals["BNK"],
                date=books.start,
                ref="Share capital paid in",
                lines=[
                    posting.Line(role="bank", debit=CAPITAL, label="Share capital"),
                    posting.Line(account=equity, credit=CAPITAL, label="Share capital"),
                ],
            )
        ],
    )


def load(books: Books) -> None:
    _capital(books)
    year = Year(books)
    month = books.start
    while month <= books.today:
        year.plan_bills(month)
        year.plan_sales(month)
        if month.month % 3 == 1:
            year.plan_export(month)
        year.plan_payroll(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    year.agenda.run()
