"""Buttons higher tiers add to CRM records: an extension point.

A domain registers `register_record_link(name, fn)` from its AppConfig.ready();
`fn(user, record)` returns a `RecordLink` when it has something to offer for that
record and user (sales: "New quotation" on an opportunity its owner may quote), or
None. The CRM draws them on the record's page without knowing who added them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordLink:
    label: str
    url: str
    test_id: str = ""


Provider = Callable[[object, object], "RecordLink | None"]
_providers: dict[str, Provider] = {}


def register_record_link(name: str, fn: Provider) -> None:
    """Add (or replace) the provider called `name`."""
    _providers[name] = fn


def record_links(user, record) -> list[RecordLink]:
    """What every provider offers `user` on `record`, in registration order."""
    return [link for fn in _providers.values() if (link := fn(user, record)) is not None]
