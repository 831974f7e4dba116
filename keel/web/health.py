"""`/healthz`: may this app server take traffic? For the load balancer and monitoring.

200 `{"status": "ok", "database": "ok", "migrations": "ok"}` when the database answers
and every migration this code ships is applied; otherwise 503 with what is wrong (the
database unreachable, or the migrations still to apply), so a server started on new
code before `keel migrate` ran is kept out of rotation. Open without signing in: it
says nothing about the data.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations this code ships that the database has not applied, in order."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


@never_cache
@require_safe
def healthz(request):
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = pending_migrations()
    except DatabaseError as error:
        logger.warning("healthz: database unreachable: %s", error)
        return JsonResponse(
            {"status": "unavailable", "database": f"unreachable: {type(error).__name__}"},
            status=503,
        )
    if pending:
        return JsonResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": "pending",
                "pending": pending,
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "ok"})
