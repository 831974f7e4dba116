"""Workspace pages of parties (unfold): the party list and form, and the named lists."""

from . import lists, parties  # noqa: F401  (registering is the import's effect)
