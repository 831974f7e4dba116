"""Run the same work in several threads released at the same moment (PostgreSQL tests
of locks and races); each thread closes its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


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
