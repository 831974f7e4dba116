"""A service's refusal shown where the user typed the value it names."""

from __future__ import annotations

import re

from .errors import DomainError

LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def show_at_field(error: DomainError, form, rows=()) -> None:
    """`error` next to its field: `lines[2].quantity` on the second of `rows` (the
    filled line rows, in the order given to the service), another field on `form`,
    anything else on top of the form."""
    match = LINE_FIELD.match(error.field or "")
    if match and 0 < int(match[1]) <= len(rows):
        row, field = rows[int(match[1]) - 1], match[2]
        row.add_error(field if field in row.fields else None, error.detail)
    elif error.field in form.fields:
        form.add_error(error.field, error.detail)
    else:
        form.add_error(None, error.detail)


__all__ = ["show_at_field"]
