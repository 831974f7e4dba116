"""Sales documents for the tests of sales and of higher domains, built through the
real services."""

from __future__ import annotations

import datetime as dt

from keel.parties.services.parties import create_party

from ..services import quotations

JUNE_1 = dt.date(2026, 6, 1)


def customer(company, name: str = "Acme Corp", **fields):
    return create_party(company=company, name=name, is_customer=True, **fields)


def quotation(company, party, warehouse, lines, *, by=None, **fields):
    """A draft quotation dated 1 June 2026, valid 30 days, unless told otherwise."""
    fields.setdefault("quote_date", JUNE_1)
    return quotations.create_quotation(
        company, party=party, warehouse=warehouse, lines=lines, by=by, **fields
    )
