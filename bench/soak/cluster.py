"""Real processes for the soak: a throwaway PostgreSQL cluster, gunicorn, the worker.

Never the shared server on 5432: the cluster lives in a directory under var/soak/, on a
free port, and is stopped and deleted at the end. Run as root, its commands run as the
`postgres` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOAK_DIR = ROOT / "var" / "soak"
PG_BIN = Path(os.environ.get("KEEL_PG_BIN", "/usr/lib/postgresql/15/bin"))
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


class Cluster:
    """initdb + pg_ctl on a free port; `restart_immediately()` and `stop(immediately=True)`
    are what a crash looks like; `start()` again brings the same cluster back."""

    def __init__(self, home: Path | None = None):
        SOAK_DIR.mkdir(parents=True, exist_ok=True)
        self.reused = home is not None and (home / "data" / "PG_VERSION").exists()
        self.home = home or Path(tempfile.mkdtemp(prefix="pg-", dir=SOAK_DIR))
        self.home.mkdir(parents=True, exist_ok=True)
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.home, "postgres")
            os.chmod(self.home, 0o700)

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        """Start the cluster (initdb first when it has no data yet: a cluster kept by
        --keep, or one stopped a moment ago, starts again as it was)."""
        if (self.data / "PG_VERSION").exists():
            self._pg_ctl("start")
            return
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E",
            "UTF8", "--no-sync",
        )  # fmt: skip
        self._pg_ctl("start")

    def _pg_ctl(self, verb: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c max_connections=100"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), verb, "-D", str(self.data), "-l", str(self.log), "-w",
            "-t", "60", "-o", options, *extra,
        )  # fmt: skip

    def restart_immediately(self) -> None:
        """What a crash and a restart look like: no checkpoint, open transactions lost."""
        self._pg_ctl("restart", "-m", "immediate")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` when given), dropping one of that name."""
        where = ["-h", "127.0.0.1", "-p", str(self.port)]
        self._run(str(PG_BIN / "dropdb"), *where, "--if-exists", name)
        copy = ["-T", template] if template else []
        self._run(str(PG_BIN / "createdb"), *where, *copy, name)
        return self.url(name)

    def copy_database(self, source: dict, name: str) -> str:
        """Django's database `source` (a settings dict: the test database, migrated and
        holding what the test committed) as `name` here: pg_dump piped into psql, much
        quicker than migrating anew."""
        url = self.create_database(name)
        dump = subprocess.Popen(
            [*self.as_postgres, str(PG_BIN / "pg_dump"), "-h", source["HOST"] or "127.0.0.1",
             "-p", str(source["PORT"] or 5432), "-U", source["USER"], "--no-owner",
             source["NAME"]],
            stdout=subprocess.PIPE, env={**os.environ, "PGPASSWORD": source["PASSWORD"] or ""},
        )  # fmt: skip
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
             "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", name],
            stdin=dump.stdout, check=True, capture_output=True,
        )  # fmt: skip
        if dump.wait() != 0:
            raise RuntimeError(f"pg_dump of {source['NAME']} failed")
        return url

    def has_database(self, name: str) -> bool:
        return self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"

    def sql(self, query: str, database: str = "postgres") -> str:
        """What psql prints for `query` (unaligned, tuples only); empty if it failed."""
        found = subprocess.run(
            [*self.as_postgres, str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
             "-At", "-c", query, database],
            capture_output=True, text=True,
        )  # fmt: skip
        return found.stdout.strip()

    def start_replica(self) -> Cluster:
        """A hot standby streaming from this cluster, on its own port and directory.

        initdb's defaults already allow it (wal_level=replica, max_wal_senders=10, and
        `host replication all 127.0.0.1/32 trust` in pg_hba.conf); pg_basebackup -R
        writes primary_conninfo and standby.signal, so it follows from the copy on
        (-c fast: the default spread checkpoint would take minutes)."""
        replica = Cluster()
        replica._run(
            str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
            "postgres", "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        replica._pg_ctl("start")
        return replica

    def stop(self, *, immediately: bool = False) -> None:
        """A clean shutdown, or (`immediately`) one like a crash: every connection cut,
        no checkpoint."""
        mode = "immediate" if immediately else "fast"
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", mode, "-w")

    def stop_and_remove(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class Service:
    """A long-running child (gunicorn, the worker) that can be killed -9 and restarted."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], *, port: int | None = None):
        self.name, self.argv, self.env, self.port = name, argv, env, port
        SOAK_DIR.mkdir(parents=True, exist_ok=True)
        self.log = open(SOAK_DIR / f"{name}-{os.getpid()}.log", "ab")  # noqa: SIM115
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.groups: list[int] = []  # every session started: orphans are ended with it

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.starts += 1
        self.groups.append(self.process.pid)
        if self.port is not None:
            wait_for_port(self.port)

    def children(self) -> list[int]:
        """The process ids of the children (gunicorn's workers)."""
        if self.process is None:
            return []
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(pid) for pid in found]

    def kill9(self, *, with_children: bool = False) -> None:
        """SIGKILL the main process (and its children: what an OOM kill of the unit does)."""
        assert self.process is not None
        victims = self.children() if with_children else []
        os.kill(self.process.pid, signal.SIGKILL)
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """End every process group this service started (orphaned workers included)."""
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGTERM)
            except ProcessLookupError:
                continue
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
