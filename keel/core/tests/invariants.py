"""`keel check` for tests: assert the data keeps every promise, or run the command."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.core.management.base import CommandError

from keel.core import invariants


def assert_invariants_hold(company=None, *, only=()) -> None:
    """Fail the test, listing each violation, unless every check passes (on `company`,
    or on every company)."""
    found = invariants.run(only=only, company_ids=[company.pk] if company else [])
    assert found == [], "keel check found:\n" + "\n".join(f"  {v.check}: {v}" for v in found)


def run_keel_check(*args: str) -> tuple[int, str]:
    """Run `keel check` with `args`; its exit code and everything it printed."""
    out = io.StringIO()
    try:
        call_command("invariants", *args, stdout=out, stderr=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()
