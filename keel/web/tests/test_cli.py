"""The `keel` console command wraps Django's with Keel's settings and short names."""

import subprocess
import sys
from pathlib import Path

KEEL = Path(sys.executable).with_name("keel")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KEEL), *args], capture_output=True, text=True, timeout=120)


def test_keel_without_arguments_lists_the_everyday_commands():
    result = run()
    assert result.returncode == 0
    for name in ("keel demo", "keel serve", "keel migrate", "keel worker", "keel createsuperuser"):
        assert name in result.stdout


def test_keel_passes_other_commands_to_django():
    # `keel check` alone is the invariant checker; with a system-check option it is
    # Django's system check.
    result = run("check", "--fail-level", "ERROR")
    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stdout


def test_keel_check_on_a_database_never_migrated_says_what_to_do(tmp_path):
    """Given a database file with no tables; When `keel check` runs on it; Then it
    exits 2 and says to migrate first (not a traceback)."""
    import os

    empty = tmp_path / "empty.sqlite3"
    result = subprocess.run(
        [str(KEEL), "check"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{empty}"},
    )
    assert result.returncode == 2
    assert "This database has no Keel tables yet: run `keel migrate` first." in result.stderr
    assert "Traceback" not in result.stderr


def test_keel_worker_is_the_database_task_worker_that_outlives_faults():
    result = run("worker", "--help")
    assert result.returncode == 0
    assert "survives database restarts and recovers work left by a killed worker" in (
        " ".join(result.stdout.split())
    )
    assert "--queue-name" in result.stdout  # db_worker's options all still work
