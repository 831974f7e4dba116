"""Global search: domains register providers; the workspace search box asks them all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchHit:
    title: str
    description: str
    link: str
    icon: str = "search"


# A provider gets (user, term, limit) and yields hits the user may see.
Provider = Callable[[object, str, int], Iterable[SearchHit]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add a provider under `name` (re-registering replaces it)."""
    _providers[name] = provider


def search(user, term: str, *, limit: int = 10) -> list[SearchHit]:
    """Hits from every provider for `term`, at most `limit` from each."""
    term = term.strip()
    if len(term) < 2:
        return []
    hits: list[SearchHit] = []
    for provider in _providers.values():
        hits.extend(list(provider(user, term, limit))[:limit])
    return hits
