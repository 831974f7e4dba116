"""`keel worker`: django-tasks' database worker that outlives the database and its own
crashes.

Two things the plain `db_worker` does not do, found by the soak's faults
(bench/soak/faults.py):

- a database restart made it exit (its first query after the restart raised); this
  worker waits for the database and carries on;
- a task whose worker was killed mid-run stays "running" and is never run again, so
  the outbox events it was dispatching, or the delivery it was sending, would wait
  forever. Each worker beats a heartbeat every `KEEL_WORKER_HEARTBEAT_SECONDS`, and
  every `KEEL_WORKER_SWEEP_SECONDS` it recovers what a dead one left: the tasks of a
  worker silent for `KEEL_WORKER_LOST_SECONDS` are failed and, when safe to retry,
  queued again; undispatched events are dispatched and deliveries stranded by a crash
  are sent (see keel.core.tasks.sweep). Once an hour it purges what has outlived its
  retention (keel.core.services.retention).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from keel.core import tasks
from keel.core.services import workers

logger = logging.getLogger("keel.worker")
DATABASE_RETRY_SECONDS = 2.0


class Worker(db_worker.Worker):
    def run(self) -> None:
        """The queue loop, started again after the database went away."""
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks: the loop ended by itself
            except DatabaseError as error:
                logger.warning(
                    "database unavailable (%s); retrying in %.0fs",
                    str(error).strip(),
                    DATABASE_RETRY_SECONDS,
                )
                connections.close_all()
                self.startup_delay = False
                time.sleep(DATABASE_RETRY_SECONDS)


def beat_forever(worker_id: str, interval: float) -> None:
    """Say this worker is alive, every `interval` seconds."""
    while True:
        try:
            workers.beat(worker_id)
        except DatabaseError as error:  # restarting: the next beat will do
            logger.warning("heartbeat skipped, database unavailable (%s)", str(error).strip())
        except Exception:
            logger.exception("heartbeat failed")
        finally:
            connections.close_all()
        time.sleep(interval)


def sweep_forever(interval: float) -> None:
    """Recover what crashed workers left behind, every `interval` seconds; purge hourly."""
    sweeper = tasks.Sweeper()
    while True:
        time.sleep(interval)
        try:
            sweeper.run()
        except DatabaseError as error:  # restarting: try again at the next sweep
            logger.warning("sweep skipped, database unavailable (%s)", str(error).strip())
        except Exception:
            logger.exception("sweep failed")
        finally:
            connections.close_all()


class Command(db_worker.Command):
    help = (
        "Run queued background tasks (outbox dispatch, webhooks); survives database "
        "restarts and recovers work left by a killed worker."
    )

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay,
               reload, max_tasks, worker_id, exclude_queues, **options):  # fmt: skip
        """db_worker's handle with this module's Worker, and the sweep beside it."""
        self.configure_logging(verbosity)
        excluded = exclude_queues.split(",") if exclude_queues else []
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        in_worker_process = not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if not batch and in_worker_process:
            threading.Thread(
                target=beat_forever,
                args=(worker_id, settings.KEEL_WORKER_HEARTBEAT_SECONDS),
                name="keel-heartbeat",
                daemon=True,
            ).start()
        if not batch and in_worker_process and settings.KEEL_WORKER_SWEEP_SECONDS > 0:
            threading.Thread(
                target=sweep_forever,
                args=(settings.KEEL_WORKER_SWEEP_SECONDS,),
                name="keel-sweep",
                daemon=True,
            ).start()
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
