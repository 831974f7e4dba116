"""A row lock taken with `select_related` locks the record's own row only.

`select_for_update()` on a query that joins related rows locks every joined row
(PostgreSQL's FOR UPDATE covers all tables of the join). Locking a document with its
company that way locks the company row, which waits for every transaction writing
anything of the company: under load it deadlocked confirmations against invoice
postings (keel/sales/tests/test_lock_scope.py). So every such lock names
`of=("self",)` (or the rows it really means to lock).
"""

from __future__ import annotations

import ast
from pathlib import Path

KEEL = Path(__file__).resolve().parents[2] / "keel"


def locks_of_joined_rows(source: str) -> list[int]:
    """Lines where a call chain has select_for_update() without `of=` and select_related."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        chain, lock = [], None
        current = node
        while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            chain.append(current.func.attr)
            if current.func.attr == "select_for_update":
                lock = current
            current = current.func.value
        joined = lock is not None and "select_related" in chain
        if joined and not any(keyword.arg == "of" for keyword in lock.keywords):
            found.add(lock.lineno)  # the chain's inner calls find it again
    return sorted(found)


def test_the_checker_finds_a_lock_of_joined_rows():
    """The check itself: a lock with select_related and no `of` is found, one with is not."""
    bad = 'Invoice.objects.select_for_update().select_related("company").get(pk=1)'
    good = 'Invoice.objects.select_for_update(of=("self",)).select_related("company").get(pk=1)'

    assert locks_of_joined_rows(bad) == [1]
    assert locks_of_joined_rows(good) == []


def test_no_service_locks_the_rows_it_only_reads_along():
    """Given every module of keel (tests and migrations aside),
    Then no select_for_update() joined with select_related lacks `of=`."""
    offenders = [
        f"{path.relative_to(KEEL.parent)}:{line}"
        for path in sorted(KEEL.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for line in locks_of_joined_rows(path.read_text())
    ]

    assert offenders == []
