"""Property: whatever sequence of invoices (in USD or EUR, with or without a 30/70
term), credit notes, partial payments at moving rates, cancellations and
unreconciles, every entry balances, the maintained balances equal the lines, and
the receivable control account equals the sum of open items per party."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from keel.core.errors import DomainError
from keel.core.tests.factories import CompanyFactory

from ..models import Invoice, JournalEntry, OpenItem, Payment
from ..selectors import balance_differences
from ..selectors.invoices import control_differences, residual_of
from ..services import invoices, payments, reconciliation
from ..services.currency import set_rate
from ..services.payment_terms import save_payment_term
from .factories import books, party

cents = st.integers(min_value=1, max_value=500_00).map(lambda c: Decimal(c) / 100)
days = st.integers(min_value=0, max_value=300).map(lambda n: dt.date(2026, 1, 1) + dt.timedelta(n))
step = st.one_of(
    st.tuples(st.just("invoice"), cents, st.booleans(), st.sampled_from(["USD", "EUR"])),
    st.tuples(st.just("credit"), cents, st.integers(0, 20), st.none()),
    st.tuples(st.just("pay"), st.integers(1, 100), st.integers(0, 20), st.none()),
    st.tuples(st.just("cancel"), st.none(), st.integers(0, 20), st.none()),
    st.tuples(st.just("unreconcile"), st.none(), st.integers(0, 20), st.none()),
)


class ReceivableProperties(TestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(step, days), min_size=1, max_size=10))
    def test_receivable_equals_open_items(self, steps):
        company = CompanyFactory()
        books(company)
        customers = [party(company, "Acme"), party(company, "Globex")]
        term = save_payment_term(
            company, "30/70", [{"percent": "30"}, {"percent": "70", "days": 30}]
        )
        set_rate(company, "EUR", dt.date(2026, 1, 1), "1.1")
        set_rate(company, "EUR", dt.date(2026, 4, 1), "1.2345")
        set_rate(company, "EUR", dt.date(2026, 8, 1), "0.9876")
        documents: list[Invoice] = []
        for position, ((kind, value, pick, currency), day) in enumerate(steps):
            open_docs = [
                d
                for d in Invoice.objects.filter(status="posted", kind="out_invoice")
                if residual_of(d)
            ]
            if kind == "invoice":
                draft = invoices.create_invoice(
                    company,
                    party=customers[position % 2],
                    date=day,
                    currency=currency,
                    payment_term=term if pick else None,
                    lines=[{"description": "Work", "quantity": 1, "unit_price": value}],
                )
                documents.append(invoices.post_invoice(draft.pk))
            elif kind == "credit" and open_docs:
                target = open_docs[pick % len(open_docs)]
                amount = min(value, residual_of(target))
                note = invoices.credit_note_for(
                    target.pk,
                    date=max(day, target.date),
                    lines=[{"description": "Credit", "unit_price": amount}],
                )
                invoices.post_invoice(note.pk)
                reconciliation.reconcile_documents([target.pk, note.pk], date=max(day, target.date))
            elif kind == "pay" and open_docs:
                target = open_docs[pick % len(open_docs)]
                left = residual_of(target)
                amount = max(Decimal("0.01"), (left * value / 100).quantize(Decimal("0.01")))
                payments.register_payment(
                    company,
                    party=target.party,
                    amount=min(amount, left),
                    currency=target.currency,
                    date=max(day, target.date),
                    invoices=[target.pk],
                )
            elif kind == "cancel" and documents:
                target = documents[pick % len(documents)]
                # Paid or already cancelled: refused, and nothing changed.
                with contextlib.suppress(DomainError):
                    invoices.cancel_invoice(target.pk, date=max(day, target.date), reason="p")
            elif kind == "unreconcile" and Payment.objects.exists():
                all_payments = list(Payment.objects.order_by("pk"))
                with contextlib.suppress(DomainError):
                    payments.unreconcile_payment(all_payments[pick % len(all_payments)].pk)
            assert control_differences(company.pk) == {}
        for entry in JournalEntry.objects.filter(company=company):
            sums = entry.lines.aggregate(d=Sum("debit"), c=Sum("credit"))
            assert sums["d"] == sums["c"]
        assert balance_differences(company.pk) == []
        assert control_differences(company.pk) == {}
        for item in OpenItem.objects.filter(company=company):
            assert (
                abs(item.residual_currency) <= abs(item.amount_currency) or item.currency != "EUR"
            )
