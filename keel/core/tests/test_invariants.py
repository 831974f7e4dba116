"""The invariant registry, the gapless-series check and the `keel check` command."""

from __future__ import annotations

import pytest

from keel.core import invariants
from keel.core.models import Sequence
from keel.core.numbering import series_violations

from .invariants import run_keel_check


def test_a_series_names_its_duplicates_gaps_and_numbers_past_the_next():
    """Given the series INV/2026/ that has issued 5 numbers; When its documents carry
    00001, 00002 twice, 00004 and 00009 (and a number of another series); Then the
    check reports 00002 used twice, 00003 and 00005 missing, 00009 past the next 00006."""
    series = Sequence(key="accounting.journal.1", fiscal_year=2026, prefix="INV/", next_value=6)
    numbers = [f"INV/2026/0000{n}" for n in (1, 2, 2, 4, 9)] + ["BILL/2026/00003"]
    assert [(v.subject, v.detail) for v in series_violations(series, numbers)] == [
        (
            "series INV/2026/… (accounting.journal.1)",
            "1 number(s) used more than once: INV/2026/00002",
        ),
        (
            "series INV/2026/… (accounting.journal.1)",
            "2 number(s) missing of the 5 issued: INV/2026/00003, INV/2026/00005",
        ),
        (
            "series INV/2026/… (accounting.journal.1)",
            "1 number(s) at or past the next number INV/2026/00006: INV/2026/00009",
        ),
    ]
    whole = Sequence(key="inventory.WH.receipt", fiscal_year=0, prefix="WH/IN/", next_value=3)
    assert series_violations(whole, ["WH/IN/00001", "WH/IN/00002"]) == []


def test_every_domain_registers_its_checks():
    """The checks `keel check` runs, registered by core, accounting and inventory."""
    assert list(invariants.registered()) == [
        "numbers-gapless",
        "entries-balance",
        "balances-match-lines",
        "control-accounts",
        "hash-chain",
        "on-hand-matches-moves",
        "reserved-within-on-hand",
        "valuation-matches-stock-account",
    ]


@pytest.mark.django_db
def test_an_unknown_check_is_refused_with_the_list_of_checks(company):
    """When `keel check --only nothing` runs; Then it exits 2 naming the checks."""
    code, output = run_keel_check("--only", "nothing")
    assert code == 2
    assert "No check named nothing; the checks are: numbers-gapless, entries-balance" in output


@pytest.mark.django_db
def test_keel_check_on_an_empty_database_passes(company):
    """Given a company with no documents yet; Then every check passes and it exits 0."""
    code, output = run_keel_check()
    assert code == 0
    assert output.endswith("8 check(s): the data is sound.\n")
