"""Property: whatever sequence of balanced entries, unbalanced entries and reversals
is attempted, every posted entry balances, the maintained balances equal the sums
of the lines, the chain verifies, and refused attempts leave no trace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from keel.core.tests.factories import CompanyFactory

from ..errors import AlreadyReversed, UnbalancedEntry
from ..models import JournalEntry, JournalLine
from ..selectors import balance_differences, first_broken_link
from ..services.posting import Line, post_entry, reverse_entry
from .factories import books, party

CODES = ["1000", "1100", "2000", "4000", "6000"]
amounts = st.integers(min_value=1, max_value=10_000_00).map(lambda cents: Decimal(cents) / 100)
days = st.integers(min_value=0, max_value=364).map(lambda n: dt.date(2026, 1, 1) + dt.timedelta(n))
post = st.tuples(
    st.just("post"),
    st.lists(st.tuples(st.sampled_from(CODES), amounts, st.booleans()), min_size=1, max_size=4),
    days,
    st.booleans(),  # balanced?
)
reverse = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50), days, st.just(True))


class LedgerProperties(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(post, reverse), min_size=1, max_size=12))
    def test_books_always_balance(self, steps):
        company = CompanyFactory()
        journals = books(company)
        acme = party(company)
        from ..models import Account

        accounts = {a.code: a for a in Account.objects.filter(company=company)}
        posted: list[JournalEntry] = []
        for kind, payload, day, balanced in steps:
            before = (JournalEntry.objects.count(), JournalLine.objects.count())
            if kind == "post":
                lines = [
                    Line(
                        account=accounts[code],
                        debit=amount if is_debit else 0,
                        credit=0 if is_debit else amount,
                        party=acme if code in ("1100", "2000") else None,
                    )
                    for code, amount, is_debit in payload
                ]
                net = sum((Decimal(ln.debit) - Decimal(ln.credit) for ln in lines), Decimal(0))
                if balanced and net:
                    side = {"credit": net} if net > 0 else {"debit": -net}
                    lines.append(Line(account=accounts["1900"], **side))
                if net == 0 or balanced:
                    posted.append(post_entry(company, journals["GEN"], day, lines))
                else:
                    with self.assertRaises(UnbalancedEntry):
                        post_entry(company, journals["GEN"], day, lines)
                    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == before
            elif posted:
                target = posted[payload % len(posted)]
                if JournalEntry.objects.filter(reverses=target).exists():
                    with self.assertRaises(AlreadyReversed):
                        reverse_entry(target, day, reason="property")
                    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == before
                else:
                    posted.append(reverse_entry(target, day, reason="property"))
        for entry in JournalEntry.objects.filter(company=company):
            sums = entry.lines.aggregate(d=Sum("debit"), c=Sum("credit"))
            assert sums["d"] == sums["c"]
        assert balance_differences(company.pk) == []
        assert first_broken_link(company.pk) == (None, len(posted))
