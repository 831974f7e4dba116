"""Read routing to a PostgreSQL streaming replica, only where a page opts in.

Everything reads from and writes to the primary (`default`), so a user always sees their
own writes. A heavy read-only page (a report, a dashboard, a download) wraps itself in
`reading_from_replica()`; its reads then go to the `replica` alias when one is configured
(DATABASE_REPLICA_URL), reachable, and no more than KEEL_REPLICA_MAX_LAG_SECONDS
behind. Otherwise they stay on the primary: the page is as right as before, only the
load moves. Writes, and reads inside a transaction, always go to the primary.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections

REPLICA = "replica"
logger = logging.getLogger("keel.replica")

# The alias the current block reads from: set by reading_from_replica(), None elsewhere.
_reading_from: ContextVar[str | None] = ContextVar("keel_reading_from", default=None)


class ReplicaRouter:
    """Reads from the replica inside reading_from_replica() and outside transactions;
    everything else on the primary. Both aliases hold the same data (relations allowed);
    migrations run on the primary only (the replica replays them)."""

    def db_for_read(self, model, **hints):
        chosen = _reading_from.get()
        if chosen == REPLICA and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class _Health:
    """The last verdict on the replica, per process, kept KEEL_REPLICA_CHECK_SECONDS."""

    usable = False
    checked_at = float("-inf")
    warned = False


def _replica_lag_seconds() -> float:
    """How far the replica's replay is behind: 0 when it has replayed all it received
    (an idle primary sends nothing, and the last replayed commit then looks old)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(),"
            " pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),"
            " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
        )
        in_recovery, caught_up, behind = cursor.fetchone()
    if not in_recovery or caught_up:  # promoted, or nothing received is left to replay
        return 0.0
    # Behind since the last commit it replayed (none yet: behind by an unknown amount).
    return float("inf") if behind is None else float(behind)


def _failed(error: DatabaseError) -> str:
    # The broken connection must not be reused by the next check.
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()
    return f"the replica failed ({str(error).strip()[:200]})"


def _judge_replica() -> tuple[bool, str]:
    try:
        lag = _replica_lag_seconds()
    except DatabaseError as error:
        return False, _failed(error)
    limit = settings.KEEL_REPLICA_MAX_LAG_SECONDS
    if lag == float("inf"):
        return False, "the replica has WAL to replay and has replayed no commit yet"
    if lag > limit:
        return False, f"the replica is {lag:.1f} s behind (limit {limit:g} s)"
    return True, ""


def replica_usable() -> bool:
    """Whether opted-in reads may go to the replica now (checked at most every few
    seconds per process; the first fallback of a spell is logged as a warning)."""
    if REPLICA not in settings.DATABASES:
        return False
    now = time.monotonic()
    if now - _Health.checked_at < settings.KEEL_REPLICA_CHECK_SECONDS:
        return _Health.usable
    usable, why = _judge_replica()
    _record(usable, why)
    return usable


def _record(usable: bool, why: str = "") -> None:
    _Health.usable, _Health.checked_at = usable, time.monotonic()
    if usable:
        if _Health.warned:
            logger.warning("Read replica usable again: reports read from it.")
        _Health.warned = False
    elif not _Health.warned:
        logger.warning("Read replica not used, reports read from the primary: %s.", why)
        _Health.warned = True


@contextlib.contextmanager
def reading_from_replica():
    """Reads in this block go to the replica when it is usable (see replica_usable);
    the choice is made once at entry, so a whole page reads from one database."""
    chosen = REPLICA if replica_usable() else DEFAULT_DB_ALIAS
    token = _reading_from.set(chosen)
    try:
        yield chosen
    finally:
        _reading_from.reset(token)


def _rendered(response):
    """A template response rendered now, so its template's lazy querysets read from
    the block's database (DRF's Response has no template: it renders later, as usual)."""
    if getattr(response, "template_name", None) and not response.is_rendered:
        response.render()
    return response


def reads_from_replica(view):
    """A read-only view whose reads may go to the replica (authentication and the
    session happened before, on the primary). Should the replica fail mid-page, the
    view runs again on the primary: it only reads, so running it twice is harmless."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with reading_from_replica() as chosen:
            try:
                return _rendered(view(*args, **kwargs))
            except OperationalError as error:
                if chosen != REPLICA:
                    raise
                _record(False, _failed(error))
        return _rendered(view(*args, **kwargs))

    return wrapped
