"""Benchmark: is the staff back office usable with a unit's large history of dossiers?

Creates N dossiers in one unit (Công an xã Định Hóa from `seed_demo`) and N/10 in another
(Công an xã Phượng Tiến) with bulk_create on PostgreSQL, then times, alternating between the two
units' receiving officers (median of several rounds, after a warm-up), the admin index (queue
counts) and the dossier changelist (default order, the reception / overdue / assigned-to-me
queues, a search by personal identification number), and prints the ratio N vs N/10 for each page
in the same run. A ratio near 1 means the page does not grow with the unit's history; 10 would
mean it grows linearly. Both units have the same working set of open dossiers (the newest 300);
only the history of finished dossiers differs, as in a real unit after some years.

It then prints EXPLAIN (ANALYZE) of the dossier queries those pages run, and whether each one
uses an index on dossiers_dossier (no "Seq Scan on dossiers_dossier").

Never asserts a time: it reports. Needs PostgreSQL at 127.0.0.1:5432 (user postgres); uses its
own database `portal_bench_staff_queue` (dropped and recreated with --fresh).

Usage: .venv/bin/python bench/staff_queue.py [--dossiers 20000] [--repeat 5] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "portal_bench_staff_queue"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["BACKOFFICE_OTP_REQUIRED"] = "false"  # the bench logs in with force_login
os.environ["LOG_LEVEL"] = "WARNING"
os.environ.setdefault("PRIVATE_STORAGE_ROOT", tempfile.mkdtemp(prefix="bench-staff-"))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

LARGE = ("CAX.DINHHOA", "tiepnhan.dinhhoa", "L")  # unit, its receiving officer, code tag
SMALL = ("CAX.PHUONGTIEN", "tiepnhan.phuongtien", "S")

# A busy unit: a working set of open dossiers (the newest ones, in the queues) over a long
# history of finished ones. The working set is the same size in both units; the history is not.
WORKING_SET = 300
OPEN_MIX = (
    ("submitted", 4),
    ("received", 3),
    ("processing", 4),
    ("supplement_requested", 2),
    ("approved", 3),
)
FINISHED_MIX = (("result_returned", 18), ("refused", 1), ("withdrawn", 1))


def ensure_database(fresh: bool) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def personal_id(tag: str, i: int) -> str:
    return f"019{'2' if tag == 'L' else '1'}{i % 10**8:08d}"


def add_dossiers(*, count: int, tag: str, unit, procedure, citizen, officer) -> None:
    import datetime as dt

    from django.utils import timezone

    from portal.dossiers.models import Dossier

    now = timezone.now()
    open_states = [s for s, weight in OPEN_MIX for _ in range(weight)]
    finished_states = [s for s, weight in FINISHED_MIX for _ in range(weight)]
    batch: list[Dossier] = []
    for i in range(count):
        open_ = i < WORKING_SET
        pool = open_states if open_ else finished_states
        state = pool[i % len(pool)]
        submitted = now - dt.timedelta(minutes=37 * i)
        batch.append(
            Dossier(
                code=f"BENCH-{tag}-{i:07d}",
                citizen=citizen,
                procedure=procedure,
                unit=unit,
                area=unit.area,
                state=state,
                applicant_name=f"Nguyễn Văn Bench {i}",
                applicant_personal_id=personal_id(tag, i),
                result_method="" if i % 13 == 0 else "in_person",
                created_at=submitted,
                submitted_at=submitted,
                received_at=submitted,
                accepted_at=submitted if state != "submitted" else None,
                # the working set spans ~8 days: some overdue, some due soon, most later
                due_at=submitted + dt.timedelta(days=5) if state != "withdrawn" else None,
                paused_at=now if state == "supplement_requested" else None,
                decided_at=None if open_ else submitted + dt.timedelta(days=2),
                returned_at=submitted + dt.timedelta(days=3)
                if state == "result_returned"
                else None,
                assigned_to=officer if state in ("received", "processing") and i % 3 else None,
            )
        )
        if len(batch) == 5000:
            Dossier.objects.bulk_create(batch)
            batch = []
    if batch:
        Dossier.objects.bulk_create(batch)


def pages(pid: str) -> dict[str, str]:
    from django.urls import reverse

    changelist = reverse("admin:dossiers_dossier_changelist")
    return {
        "admin index (queue counts)": reverse("admin:index"),
        "changelist (default order)": changelist,
        "changelist ?queue=reception": changelist + "?queue=reception",
        "changelist ?queue=overdue": changelist + "?queue=overdue",
        "changelist ?queue=mine": changelist + "?queue=mine",
        "changelist search by id": changelist + f"?q={pid}",
    }


def measure(clients: dict, repeat: int) -> dict[str, dict[str, float]]:
    """{page: {size: median seconds}}, the two units measured alternately in each round."""
    samples: dict[str, dict[str, list[float]]] = {}
    for round_ in range(repeat + 1):  # round 0 warms up
        for size, (client, pid) in clients.items():
            for name, url in pages(pid).items():
                began = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - began
                assert response.status_code == 200, (url, response.status_code)
                if round_:
                    samples.setdefault(name, {}).setdefault(size, []).append(elapsed)
    return {
        name: {size: statistics.median(values) for size, values in by_size.items()}
        for name, by_size in samples.items()
    }


def explain(client, pid: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen: set[str] = set()
    for name, url in pages(pid).items():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        for query in ctx.captured_queries:
            sql = query["sql"]
            if 'FROM "dossiers_dossier"' not in sql or sql in seen:
                continue
            seen.add(sql)
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
                plan = "\n".join(row[0] for row in cur.fetchall())
            uses_index = "Index" in plan and "Seq Scan on dossiers_dossier" not in plan
            print(f"\n--- {name}: {'uses an index' if uses_index else 'NO INDEX (seq scan)'}")
            print("SQL:", sql[:300] + (" …" if len(sql) > 300 else ""))
            print(plan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    args = parser.parse_args()

    ensure_database(args.fresh)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's response.context; no effect on the queries
    call_command("migrate", verbosity=0)
    from portal.accounts.models import User
    from portal.catalogue.models import Procedure
    from portal.dossiers.models import Dossier
    from portal.units.models import PoliceUnit

    if not PoliceUnit.objects.filter(code=LARGE[0]).exists():
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    citizen = User.objects.filter(kind=User.Kind.CITIZEN).first()
    procedure = Procedure.objects.filter(level__gte=3).order_by("code").first()
    Dossier.objects.filter(code__startswith="BENCH-").delete()

    small, large = max(args.dossiers // 10, 1), args.dossiers
    clients = {}
    for (unit_code, username, tag), size in ((SMALL, small), (LARGE, large)):
        unit = PoliceUnit.objects.select_related("area").get(code=unit_code)
        officer = User.objects.get(username=username)
        began = time.perf_counter()
        add_dossiers(
            count=size, tag=tag, unit=unit, procedure=procedure, citizen=citizen, officer=officer
        )
        print(
            f"{Dossier.objects.filter(unit=unit).count():>7} dossiers in {unit_code} "
            f"(bulk_create {time.perf_counter() - began:.1f}s)"
        )
        client = Client()
        client.force_login(officer)
        clients[size] = (client, personal_id(tag, 42))
    with connection.cursor() as cur:
        cur.execute("ANALYZE dossiers_dossier")

    results = measure(clients, args.repeat)
    print(f"\n{'page (median of ' + str(args.repeat) + ')':<32}{small:>10} {large:>10}   ratio")
    for name, by_size in results.items():
        a, b = by_size[small] * 1000, by_size[large] * 1000
        print(f"{name:<32}{a:>8.1f}ms {b:>8.1f}ms   {b / a:5.2f}")
    print(f"\nEXPLAIN for the unit with {large} dossiers:")
    explain(*clients[large])


if __name__ == "__main__":
    main()
