"""Run the same work in several threads released at the same moment (PostgreSQL tests
of locks and races); each thread closes its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from keel.core.errors import DomainError


def run_together(worker: Callable[[], None], count: int) -> list[BaseException]:
    """Start `count` threads running `worker()` at once, wait for them, return what
    they raised (an empty list when every one succeeded)."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run() -> None:
        try:
            start.wait()
            worker()
        except BaseException as error:  # noqa: BLE001 - reported to the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@dataclass
class Race:
    """What `count` threads released together did: the indexes that succeeded, the
    clear refusals (DomainError) and anything else they raised (a bug)."""

    done: list[int] = field(default_factory=list)
    refused: list[DomainError] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    results: dict[int, object] = field(default_factory=dict)


def race(work: Callable[[int], object], count: int) -> Race:
    """Run `work(i)` for i in 0..count-1, each in its own thread with its own database
    connection, all released at the same moment; sort out what happened."""
    outcome, start, guard = Race(), threading.Barrier(count), threading.Lock()

    def run(index: int) -> None:
        try:
            start.wait()
            result = work(index)
        except DomainError as refusal:
            with guard:
                outcome.refused.append(refusal)
        except BaseException as error:  # noqa: BLE001 - reported to the caller
            with guard:
                outcome.errors.append(error)
        else:
            with guard:
                outcome.done.append(index)
                outcome.results[index] = result
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i,), name=f"worker-{i:02d}") for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.done.sort()
    return outcome
