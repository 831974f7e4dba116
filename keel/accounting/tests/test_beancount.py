"""The beancount export: an independent tool re-adds Keel's ledger and agrees."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

from beancount import loader
from beancount.core import realization
from django.core.management import call_command
from faker import Faker

from keel.users.roles import Role

from .. import demo
from ..exports.beancount import account_names, export_beancount
from ..models import JournalEntry
from ..selectors import trial_balance
from ..services.posting import Line, post_entry
from .factories import party

TODAY = dt.date(2026, 6, 30)


def _demo_books(company):
    """The demo ledger of a fresh company: a year of invoices (some in EUR), bills,
    payments, credit notes, exchange differences, payroll and a bank statement."""
    for name in ("Acme Corp", "Globex", "Initech"):
        party(company, name=name)
    party(company, name="Umbrella Supplies", is_supplier=True)
    fake = Faker("en_US")
    fake.seed_instance(4)
    demo.load(company, fake, today=TODAY)


def test_the_demo_ledger_passes_bean_check_and_balances_agree_to_the_cent(company, tmp_path):
    """Given the demo books (a year of entries with taxes, parties and EUR amounts),
    when the ledger is exported with `keel export-beancount --to FILE`,
    then beancount's loader (and bean-check) find no error, and beancount's balance of
    every account equals Keel's trial balance closing to the cent."""
    # Given
    _demo_books(company)
    target = tmp_path / "ledger.beancount"
    # When
    call_command("export-beancount", company=company.pk, to=str(target))
    # Then
    entries, errors, _options = loader.load_file(str(target))
    assert errors == []
    checked = subprocess.run(
        [sys.executable, "-c", "from beancount.scripts.check import main; main()", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    root = realization.realize(entries)
    names = account_names(company.pk)
    tb = trial_balance(company.pk, dt.date(2000, 1, 1), dt.date(2100, 12, 31))
    assert len(tb["rows"]) >= 8
    for row in tb["rows"]:
        real = realization.get(root, names[row["account_id"]])
        position = real.balance.get_currency_units(company.currency)
        assert position.number == row["closing"], row["code"]
    transactions = [e for e in entries if type(e).__name__ == "Transaction"]
    assert len(transactions) == JournalEntry.objects.filter(company=company).count() > 300


def test_names_amounts_and_quotes_are_valid_beancount(company, books):
    """Given an entry with a quote in its ref, a party and a foreign amount, when it is
    exported, then the posting carries the exact amounts and beancount loads it."""
    acme = party(company, name='Acme "Best" Corp')
    post_entry(
        company,
        books["SAL"],
        dt.date(2026, 3, 2),
        [
            Line(
                role="receivable",
                debit=Decimal("1234.56"),
                party=acme,
                currency="EUR",
                amount_currency=Decimal("1100.00"),
            ),
            Line(role="revenue", credit=Decimal("1234.56")),
        ],
        ref='Sale "A"',
    )
    text = export_beancount(company.pk)
    assert '2026-03-02 * "Sale \\"A\\""' in text
    assert "  Assets:1100-Accounts-Receivable  1234.56 USD\n" in text
    assert "  Income:4000-Sales-Of-Goods  -1234.56 USD\n" in text
    assert '    amount_currency: "1100.00 EUR"' in text
    entries, errors, _ = loader.load_string(text)
    assert errors == []


def test_the_api_download_is_for_book_keepers_only(api_as, users, company, books):
    """Given an entry, an Accountant downloads the ledger; a Sales Rep is refused (403)."""
    post_entry(
        company,
        books["GEN"],
        dt.date(2026, 1, 2),
        [Line(role="bank", debit=Decimal("10.00")), Line(role="suspense", credit=Decimal("10"))],
    )
    url = "/api/v1/ledger-exports/beancount/"
    response = api_as(users[Role.ACCOUNTANT]).get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "  Assets:1000-Bank  10.00 USD\n" in text
    assert api_as(users[Role.SALES_REP]).get(url).status_code == 403
