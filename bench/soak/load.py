"""Load (issue 8, part 8): mixed users signed in by role against a real gunicorn server
and PostgreSQL on 127.0.0.1, at 10, 50 and 200 concurrent users; `keel check` after.

    PYTHONPATH=$PWD python bench/soak/load.py                    # fresh database, dropped after
    PYTHONPATH=$PWD python bench/soak/load.py --levels 10 --duration 30
    PYTHONPATH=$PWD python bench/soak/load.py --database-url postgres://postgres@127.0.0.1:5432/x
    PYTHONPATH=$PWD python bench/soak/load.py --base-url http://127.0.0.1:8000 --database-url ...

What it does:

1. Without `--database-url`, creates `keel_soak_load_<pid>` on the shared server
   127.0.0.1:5432 (dropped at the end). Migrates it, loads the demo company (`keel demo`'s
   data) and the load's own world on top, idempotently (a second run on the same
   database adds nothing): 40 customers without a credit limit, 30 stocked products
   (1,000,000 units each, so confirmations never run out), and per role a pool of
   people who sign in through the sign-in form (30 sales reps, 10 sales managers, 12
   accountants, 6 auditors), each with an API token.
2. Starts gunicorn itself in production mode (`KEEL_ENV=production`, `DEBUG` off, a
   random `SECRET_KEY`, `ALLOWED_HOSTS=127.0.0.1`), `--workers` 2 x cores + 1, on a free
   port, and one `keel worker` (tasks are queued in the database in production),
   unless `--base-url` names a running server; both as the soak's other scripts start
   them (bench/soak/cluster.py `Service`, logs in var/soak/). Static files are not fetched:
   in production the reverse proxy serves them, not Keel.
3. Per level, runs `locust --headless` with `bench/soak/locustfile.py` (the user
   profiles and their weights are described there): `-u LEVEL` started at up to 20
   users/s; once every user has signed in, the figures are reset and `--duration`
   seconds are measured (the sign-in storm of the ramp-up is reported apart). The
   client talks plain HTTP to gunicorn and sends `X-Forwarded-Proto: https`, as the
   TLS-terminating proxy would.
4. Reports the backlog (tasks due, failed tasks, outbox events not dispatched) when
   the load stops and once the worker has drained it, then runs `keel check`.

Prints a table (req/s, p50/p95/p99 in ms, error rate, refusals, the machine's load
average) and a last line `SOAK-FIGURES {"load": {...}}` (JSON) for bench/soak/run.py.
An error is a 5xx, a timeout (60 s), a dropped connection or an answer the profile did
not expect; a refusal is an expected business 4xx (two accountants invoicing the same
order: the second is told it has nothing left to invoice) and is not an error. Exits
1 when the error rate is >= 0.1 % at any level or `keel check` fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.soak.cluster import VENV_BIN, Service, free_port  # noqa: E402

SERVER = "postgres://postgres@127.0.0.1:5432/"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
MAX_ERROR_RATE = 0.1  # percent
# People per role. At 200 locust users about 3-4 share one person's session (tabs):
# each person signs in once (a password hash costs ~0.5 s of CPU here).
POOLS = {"Sales Rep": 30, "Sales Manager": 10, "Accountant": 12, "Read-only Auditor": 6}
CUSTOMERS, PRODUCTS, ON_HAND = 40, 30, Decimal(1_000_000)
PASSWORD = "load-" + "keel-soak-2026"  # noqa: S105 (throwaway users of a throwaway database)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="use this database (kept); default: a new one")
    parser.add_argument("--levels", default="10,50,200", help="concurrent users per level")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured per level")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--base-url", help="a running server to load instead of starting one")
    parser.add_argument("--spawn-rate", type=float, default=20.0, help="users started per second")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.levels.split(",") if level.strip()]
    return args


# --- database ----------------------------------------------------------------------


def create_database() -> str:
    import psycopg

    name = f"keel_soak_load_{os.getpid()}"
    with psycopg.connect(SERVER + "postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return SERVER + name


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(SERVER + "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def production_env(database_url: str, var_dir: str) -> dict[str, str]:
    """The environment of a production installation (docs/operations.md, Deployment)."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "keel.config.settings",
        "DATABASE_URL": database_url,
        "KEEL_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KEEL_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
    }


def prepare(world_file: Path) -> None:
    """Migrate, load the demo company and the load's world; write what the locust users
    need (ids, sign-ins, tokens) to `world_file`. Runs in a child process with the
    production environment (see main)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from keel.web.demo import load_demo

    started = time.perf_counter()
    company = load_demo()
    world = seed(company)
    world_file.write_text(json.dumps(world))
    print(f"  data ready in {time.perf_counter() - started:.0f} s", flush=True)


def seed(company) -> dict:
    """Customers, stocked products and the user pools, created once per database."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from keel.inventory.models import Warehouse
    from keel.inventory.tests.factories import stock
    from keel.parties.models import Party
    from keel.parties.services.parties import create_party
    from keel.products.models import Product
    from keel.products.services import catalog

    User = get_user_model()
    warehouse = Warehouse.objects.filter(company=company, active=True).order_by("pk").first()
    with transaction.atomic():
        if not Party.objects.filter(company=company, name="Load customer 01").exists():
            for n in range(1, CUSTOMERS + 1):
                create_party(company=company, name=f"Load customer {n:02d}", is_customer=True)
            uom = (
                Product.objects.filter(company=company, kind=Product.Kind.GOODS)
                .order_by("pk")[0]
                .uom
            )
            for n in range(1, PRODUCTS + 1):
                price = Decimal(10 + 3 * n)
                catalog.save_product(
                    Product(
                        company=company,
                        name=f"Load item {n:02d}",
                        sku=f"LOAD-{n:02d}",
                        kind=Product.Kind.GOODS,
                        uom=uom,
                        sale_price=price,
                        cost_price=price * Decimal("0.6"),
                    ),
                    by=None,
                )
            items = list(Product.objects.filter(company=company, sku__startswith="LOAD-"))
            stock(warehouse, items, ON_HAND, on_date=timezone.localdate())
        pools: dict[str, list[dict]] = {}
        template = None
        for role, size in POOLS.items():
            group = Group.objects.get(name=role)
            slug = role.lower().replace("read-only ", "").replace(" ", ".")
            pool = []
            for n in range(1, size + 1):
                username = f"load.{slug}.{n:03d}"
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User(
                        username=username,
                        email=f"{username}@northwind.example",
                        first_name="Load",
                        last_name=f"{role} {n:03d}",
                        title=role,
                        company=company,
                        is_staff=True,
                    )
                    if template is None:
                        user.set_password(PASSWORD)
                        template = user.password
                    # One hash for all: hashing 180 passwords would take minutes here.
                    user.password = template
                    user.save()
                    user.groups.add(group)
                token, _ = Token.objects.get_or_create(user=user)
                pool.append({"username": username, "password": PASSWORD, "token": token.key})
            pools[role] = pool
    customers = Party.objects.filter(company=company, name__startswith="Load customer ")
    products = Product.objects.filter(company=company, sku__startswith="LOAD-")
    return {
        "company": company.pk,
        "warehouse": warehouse.pk,
        "customers": sorted(customers.values_list("pk", flat=True)),
        "products": [
            {"id": pk, "price": str(price)}
            for pk, price in products.order_by("pk").values_list("pk", "sale_price")
        ],
        "users": pools,
    }


# --- server --------------------------------------------------------------------------


def wait_healthy(base_url: str, timeout: float = 120) -> None:
    """Until /healthz answers 200 (the database is reachable, migrations applied)."""
    deadline = time.monotonic() + timeout
    url = base_url + "/healthz"
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (our server)
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server at {base_url} did not become healthy")
        time.sleep(0.5)


def start_gunicorn(env: dict, workers: int) -> tuple[Service, str]:
    """gunicorn in production mode on a free port, once it answers /healthz."""
    port = free_port()
    server = Service(
        "load-gunicorn",
        [str(VENV_BIN / "gunicorn"), "keel.config.wsgi:application", f"--workers={workers}",
         f"--bind=127.0.0.1:{port}", "--timeout=60", "--graceful-timeout=10",
         "--log-level=warning"],
        env, port=port,
    )  # fmt: skip
    server.start()
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url)
    return server, base_url


def start_worker(env: dict) -> Service:
    """One `keel worker`, as production runs next to the app servers (the outbox
    dispatch and webhooks are queued tasks)."""
    worker = Service("load-worker", [str(VENV_BIN / "keel"), "worker", "--no-startup-delay"], env)
    worker.start()
    return worker


def backlog(database_url: str) -> dict:
    """What waits: queued tasks due now, failed tasks, outbox events not dispatched."""
    import psycopg

    with psycopg.connect(database_url) as db:
        ready, failed = db.execute(
            "SELECT count(*) FILTER (WHERE status = 'READY' AND (run_after IS NULL OR "
            "run_after <= now())), count(*) FILTER (WHERE status = 'FAILED') "
            "FROM django_tasks_database_dbtaskresult"
        ).fetchone()
        (undispatched,) = db.execute(
            "SELECT count(*) FROM core_outboxevent WHERE dispatched_at IS NULL"
        ).fetchone()
    return {"tasks_ready": ready, "tasks_failed": failed, "outbox_undispatched": undispatched}


def drained(database_url: str, timeout: float = 120) -> tuple[dict, float]:
    """The backlog once the worker has emptied it (or after `timeout` s), and how long."""
    started = time.monotonic()
    while True:
        found = backlog(database_url)
        done = not found["tasks_ready"] and not found["outbox_undispatched"]
        if done or time.monotonic() - started > timeout:
            return found, round(time.monotonic() - started, 1)
        time.sleep(2)


# --- load ----------------------------------------------------------------------------


def run_level(users: int, args, base_url: str, env: dict, workdir: Path) -> dict:
    """One locust run at `users` concurrent users; its aggregated figures."""
    prefix = workdir / f"level-{users}"
    extras_file = workdir / f"extras-{users}.json"
    ramp = max(1, int(users / args.spawn_rate + 0.999))
    before = os.getloadavg()
    started = time.monotonic()
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            base_url,
            "-u",
            str(users),
            "-r",
            str(args.spawn_rate),
            # A cap: the locustfile stops the run `--duration` s after all signed in.
            "-t",
            f"{ramp + args.duration + 900}s",
            "--only-summary",
            "--csv",
            str(prefix),
            "--stop-timeout",
            "10",
            "--exit-code-on-error",
            "0",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={
            **env,
            "KEEL_LOAD_EXTRAS": str(extras_file),
            "KEEL_LOAD_USERS": str(users),
            "KEEL_LOAD_SECONDS": str(args.duration),
        },
        check=True,
    )
    elapsed = time.monotonic() - started
    after = os.getloadavg()
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    extras = json.loads(extras_file.read_text()) if extras_file.exists() else {}
    refusals = extras.get("refusals", {})
    with open(f"{prefix}_failures.csv", newline="") as handle:
        failed = [
            {
                "request": f"{row['Method']} {row['Name']}",
                "error": row["Error"][:300],
                "count": int(row["Occurrences"]),
            }
            for row in csv.DictReader(handle)
        ]
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "failures": failures,
        "req_per_s": round(float(total["Requests/s"]), 1),
        "p50_ms": _ms(total["50%"]),
        "p95_ms": _ms(total["95%"]),
        "p99_ms": _ms(total["99%"]),
        "error_rate_pct": round(100 * failures / requests, 3) if requests else 100.0,
        "refusals": sum(refusals.values()),
        "refusals_by_code": refusals,
        "errors": failed,
        "sign_in": extras.get("sign_in"),
        "ramp": extras.get("ramp"),
        "loadavg_before": [round(x, 2) for x in before],
        "loadavg_after": [round(x, 2) for x in after],
        "by_request": {
            row["Name"]: {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _ms(row["50%"]),
                "p99_ms": _ms(row["99%"]),
            }
            for row in rows
            if row["Name"] != "Aggregated"
        },
    }


def _ramp_rate(level: dict) -> float:
    """The error rate (%) of the ramp-up and sign-ins, before the measured window."""
    ramp = level.get("ramp") or {}
    return 100 * ramp.get("failures", 0) / ramp["requests"] if ramp.get("requests") else 0.0


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def keel_check(env: dict) -> tuple[bool, str]:
    done = subprocess.run(
        [sys.executable, "-c", "from keel.config.cli import main; main()", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def print_table(levels: list[dict], workers: int) -> None:
    print(
        f"\n{'users':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'requests':>9} {'errors':>7} {'error %':>8} {'refusals':>8}  load avg (1 min) "
        f"before/after   [gunicorn workers: {workers}]"
    )
    for level in levels:
        print(
            f"{level['users']:>6} {level['req_per_s']:>7} {level['p50_ms']:>7} "
            f"{level['p95_ms']:>7} {level['p99_ms']:>7} {level['requests']:>9} "
            f"{level['failures']:>7} {level['error_rate_pct']:>8} {level['refusals']:>8}  "
            f"{level['loadavg_before'][0]} / {level['loadavg_after'][0]}"
        )
        if level["sign_in"]:
            sign_in, ramp = level["sign_in"], level["ramp"]
            print(
                f"         before the window: {sign_in['requests']} sign-ins (p50 "
                f"{sign_in['p50_ms']} ms, p99 {sign_in['p99_ms']} ms); {ramp['requests']} "
                f"requests, {ramp['failures']} errors, refusals {ramp['refusals'] or 0}"
            )
            for error in ramp["errors"]:
                print(f"         ! {error['count']} x {error['request']}: {error['error']}")
        for error in level["errors"]:
            print(f"         ! {error['count']} x {error['request']}: {error['error']}")


def main(argv=None) -> int:
    args = parse_args(argv)
    database_url = args.database_url or create_database()
    workdir = Path(tempfile.mkdtemp(prefix="keel-soak-load-"))
    env = production_env(database_url, str(workdir / "var"))
    server = worker = None
    try:
        print(f"database {database_url.rsplit('/', 1)[1]}: migrating, loading data…", flush=True)
        world_file = workdir / "world.json"
        prepare_cmd = [sys.executable, __file__, "--prepare", str(world_file)]
        subprocess.run(prepare_cmd, cwd=ROOT, env=env, check=True)  # noqa: S603
        env["KEEL_LOAD_WORLD"] = str(world_file)
        if args.base_url:
            base_url = args.base_url.rstrip("/")
            wait_healthy(base_url)
        else:
            server, base_url = start_gunicorn(env, args.workers)
            worker = start_worker(env)
        print(f"server {base_url} ({'given' if args.base_url else args.workers} workers)")
        levels = []
        for users in args.levels:
            print(f"level {users} users: {args.duration} s measured…", flush=True)
            levels.append(run_level(users, args, base_url, env, workdir))
        at_end = backlog(database_url)
        after_drain, drain_seconds = drained(database_url) if worker else (at_end, 0.0)
        for service in (server, worker):
            if service is not None:
                service.stop()
        server = worker = None
        check_ok, check_report = keel_check(env)
        print_table(levels, args.workers)
        print(
            f"\nbacklog when the load stopped: {at_end}; after {drain_seconds} s of the "
            f"worker: {after_drain}"
        )
        print(f"keel check: {'clean' if check_ok else 'FAILED'}")
        if not check_ok:
            print(check_report)
        passed = check_ok and all(
            lv["error_rate_pct"] < MAX_ERROR_RATE and _ramp_rate(lv) < MAX_ERROR_RATE
            for lv in levels
        )
        figures = {
            "load": {
                "server": "gunicorn" if not args.base_url else args.base_url,
                "workers": args.workers if not args.base_url else None,
                "cores": os.cpu_count(),
                "duration_s": args.duration,
                "levels": levels,
                "backlog_at_end": at_end,
                "backlog_after_drain": after_drain,
                "drain_seconds": drain_seconds,
                "keel_check": "clean" if check_ok else "failed",
                "passed": passed,
            }
        }
        print("SOAK-FIGURES " + json.dumps(figures), flush=True)
        return 0 if passed else 1
    finally:
        for service in (server, worker):
            if service is not None:
                service.stop()
        if not args.database_url:
            drop_database(database_url)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        prepare(Path(sys.argv[2]))
    else:
        sys.exit(main())
