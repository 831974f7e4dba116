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
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_keel_worker_is_the_database_task_worker():
    result = run("worker", "--help")
    assert result.returncode == 0
    assert "Run a database background worker" in result.stdout
