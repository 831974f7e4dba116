"""Reading a page's query parameters: a bad value reads as absent, never as a 500."""

from __future__ import annotations

import datetime as dt


def int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def date_param(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
