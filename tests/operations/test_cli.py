"""The `keel` command line: what each short name runs."""

from __future__ import annotations

from keel.config.cli import resolve


def test_keel_check_is_the_invariant_checker_and_check_deploy_stays_djangos():
    """`keel check` runs the invariants; with Django's options (`--deploy`) or as
    `manage.py check` it is Django's system check."""
    assert resolve(["keel", "check", "--json"]) == ["keel", "invariants", "--json"]
    assert resolve(["/venv/bin/keel", "check"]) == ["/venv/bin/keel", "invariants"]
    assert resolve(["keel", "check", "--deploy"]) == ["keel", "check", "--deploy"]
    assert resolve(["keel", "check", "--fail-level=ERROR"]) == [
        "keel",
        "check",
        "--fail-level=ERROR",
    ]
    assert resolve(["manage.py", "check"]) == ["manage.py", "check"]
