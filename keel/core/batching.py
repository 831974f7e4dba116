"""Helpers for work on thousands of rows in one call (imports, posting batches)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Below this many objects' worth of work a collection pass costs nothing worth saving.
PAUSE_FROM = 1000


@contextmanager
def collector_paused(size: int) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch of `size` items is built
    and written, and let it run again afterwards.

    A batch allocates hundreds of thousands of short-lived objects that reference
    counting frees by itself; each allocation burst would otherwise trigger
    collections that walk every live object of the process (a quarter of the CPU
    of a 1,000-entry posting). Cycles made meanwhile are collected at the next
    pass after the batch. Nested or small batches leave the collector as it is."""
    if size < PAUSE_FROM or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
