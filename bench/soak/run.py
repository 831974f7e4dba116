"""`make soak`: the heavy half of the reliability harness, one part after another, and
one table of what each proved.

    PYTHONPATH=$PWD python bench/soak/run.py                       # every part
    PYTHONPATH=$PWD python bench/soak/run.py --only faults,load --orders 200

The parts, each a subprocess whose last `SOAK-FIGURES {json}` line is collected:

    faults      bench/soak/faults.py: kill -9 gunicorn and the worker, restart
                PostgreSQL during an order load; nothing lost or half-written
    fuzz        bench/soak/fuzz.py: schemathesis per role; no 5xx, no schema violation
    load        bench/soak/load.py: req/s and latency at 10, 50, 200 users
    properties  KEEL_HYPOTHESIS_PROFILE=soak pytest tests/properties
    access      pytest tests/security/test_access_matrix.py: cells checked, leaks

A part whose script does not exist yet is reported "missing", not failed. Exit status
1 if any part failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PYTEST = [PYTHON, "-m", "pytest", "-p", "no:cacheprovider"]
MARK = "SOAK-FIGURES "
PARTS = ("faults", "fuzz", "load", "properties", "access")


def commands(args) -> dict[str, tuple[list[str], Path, dict[str, str]]]:
    """Each part: its command line, the file that must exist, extra environment."""
    orders = ["--orders", str(args.orders)] if args.orders else []
    return {
        "faults": ([PYTHON, "bench/soak/faults.py", *orders], ROOT / "bench/soak/faults.py", {}),
        "fuzz": ([PYTHON, "bench/soak/fuzz.py"], ROOT / "bench/soak/fuzz.py", {}),
        "load": ([PYTHON, "bench/soak/load.py"], ROOT / "bench/soak/load.py", {}),
        "properties": (
            [*PYTEST, "-q", "tests/properties"],
            ROOT / "tests/properties",
            {"KEEL_HYPOTHESIS_PROFILE": "soak"},
        ),
        "access": (
            # -s: the matrix prints its "N cells checked, M leaks" per family.
            [*PYTEST, "-q", "-s", "tests/security/test_access_matrix.py"],
            ROOT / "tests/security/test_access_matrix.py",
            {},
        ),
    }


def run_part(name: str, argv: list[str], extra_env: dict[str, str]) -> dict:
    """Run one part, echoing its output; its status, seconds and figures."""
    print(f"\n=== {name}: {' '.join(argv[1:])}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra_env}
    started = time.monotonic()
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    figures: dict = {}
    output: list[str] = []
    for line in process.stdout:
        print(line, end="", flush=True)
        output.append(line)
        if line.startswith(MARK):
            figures.update(json.loads(line[len(MARK) :]))
    code = process.wait()
    return {
        "status": "ok" if code == 0 else f"FAILED (exit {code})",
        "seconds": round(time.monotonic() - started),
        "figures": figures,
        "output": output,
    }


def access_cells(output: list[str]) -> tuple[int, int]:
    """(cells, leaks) summed over the matrix's 'access matrix (...): N cells checked,
    M leaks' lines."""
    cells = leaks = 0
    for line in output:
        if line.startswith("access matrix") and "cells checked" in line:
            counts = line.split(":", 1)[1].split(",")
            cells += int(counts[0].split()[0])
            leaks += int(counts[1].split()[0])
    return cells, leaks


def pytest_counts(output: list[str]) -> str:
    """pytest's last summary line ("12 passed in 3.4s")."""
    for line in reversed(output):
        if " passed" in line or " failed" in line or " error" in line:
            return line.strip().strip("=").strip()
    return ""


def proves(name: str, result: dict) -> str:
    """What the part showed, in one line of the summary."""
    f = result["figures"].get(name, result["figures"])
    if name == "faults" and f:
        outbox = f.get("outbox", {})
        return (
            f"{f.get('faults', 0)} faults survived: {f.get('acknowledged', 0)}/"
            f"{f.get('orders_sent', 0)} orders acknowledged, {f.get('lost_or_changed', 0)} lost, "
            f"{f.get('half_written', 0)} half-written; events {outbox.get('published', 0)} "
            f"published, {outbox.get('lost', 0)} lost, {outbox.get('duplicates', 0)} duplicates; "
            f"keel check {f.get('keel_check', '?')}"
        )
    if name == "fuzz" and f:
        return (
            f"{f.get('cases', 0)} schemathesis cases, {f.get('5xx', 0)} 5xx, "
            f"{f.get('violations', 0)} schema violations"
        )
    if name == "load" and f:
        levels = f.get("levels", [])
        return "; ".join(
            f"{level.get('users')} users: {level.get('req_per_s')} req/s, p99 "
            f"{level.get('p99_ms')} ms, errors {level.get('error_rate_pct')} %"
            for level in levels
        ) + (f"; keel check {f['keel_check']}" if "keel_check" in f else "")
    if name == "access":
        cells, leaks = access_cells(result["output"])
        summary = pytest_counts(result["output"])
        return f"{cells} access-matrix cells checked, {leaks} leaks ({summary})"
    if name == "properties":
        return pytest_counts(result["output"])
    return json.dumps(f)[:200] if f else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated parts of: {','.join(PARTS)}")
    parser.add_argument("--orders", type=int, help="orders of the faults part (default 1000)")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(PARTS)
    unknown = set(chosen) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    table = {}
    for name, (argv_, needed, extra_env) in commands(args).items():
        if name not in chosen:
            continue
        if not needed.exists():
            table[name] = {"status": "missing", "seconds": 0, "figures": {}, "output": []}
            print(f"\n=== {name}: missing ({needed.relative_to(ROOT)} does not exist yet)")
            continue
        table[name] = run_part(name, argv_, extra_env)
    print("\n=== soak summary")
    width = max(len(name) for name in table)
    for name, result in table.items():
        print(
            f"{name:<{width}}  {result['status']:<16} {result['seconds']:>5}s  "
            f"{proves(name, result) if result['status'] != 'missing' else ''}"
        )
    print(
        "SOAK-SUMMARY "
        + json.dumps(
            {n: {k: r[k] for k in ("status", "seconds", "figures")} for n, r in table.items()}
        )
    )
    failed = [n for n, r in table.items() if r["status"] not in ("ok", "missing")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
