"""`make bench`: the portal's hot request paths against a bare Django project, side by side.

Both are served the same way (gunicorn, 2 sync workers, DEBUG=false, loopback ports) and driven by
the same load generator, in interleaved rounds (bare, portal, bare, portal …); the medians are
compared. Every path is driven by the asyncio client below (16 connections, a new connection per
request); the `ratio` lines come from it. With wrk installed, the two GET paths are also driven by
wrk and divided by a hello driven by wrk (the "(wrk)" rows of the table): a ratio never divides a
rate from one generator by a rate from the other.

The portal runs against its own PostgreSQL database (portal_bench_web by default: created,
migrated, loaded with seed_demo, plus `--dossiers N` dossiers generated in SQL for the scale check)
and Redis db 8 (flushed). Queries per request are counted once per path in-process
(CaptureQueriesContext). Worker RSS (VmRSS) is read from /proc after the run.

Usage: .venv/bin/python bench/run.py [--quick] [--dossiers 1000] [--rounds 5] [--seconds 4]
Ends with `ratio submit <v>`, `ratio detail <v>`, `ratio catalogue <v>`, then the `ratio …` lines
of bench/notifications.py and bench/documents.py (when present), run as subprocesses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
DB_NAME = os.environ.get("BENCH_DB", "portal_bench_web")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
CONCURRENCY = 16
STAY = "2.001159"  # thông báo lưu trú: no fee, no attachment, received at once

# The portal as deployed: DEBUG off, persistent database connections, Redis for cache and broker.
PORTAL_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": REDIS_URL,
    "DEBUG": "false",
    "SECRET_KEY": "bench-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "PUBLIC_BASE_URL": "https://dichvucong.bench.invalid",
    "SECURE_SSL_REDIRECT": "false",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    "CELERY_TASK_ALWAYS_EAGER": "false",
}


# ---------------------------------------------------------------------------------------------
# data


def ensure_database() -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def setup_django() -> None:
    os.environ.update(PORTAL_ENV)
    import django

    django.setup()


def load_data(dossiers: int) -> dict:
    """Migrate, seed the demo, generate dossiers in SQL; returns the bench citizen's token, the
    area and the code of a submitted dossier for the detail path."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from portal.accounts.models import User
    from portal.catalogue.models import Procedure
    from portal.dossiers.models import Dossier
    from portal.units.models import PoliceUnit

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="bench-citizen").exists():
        call_command("seed_demo", verbosity=0)
    unit = PoliceUnit.objects.get(code="CAX.DINHHOA")
    citizen, _ = User.objects.get_or_create(
        username="bench-citizen",
        defaults={
            "full_name": "Nguyễn Văn Đo Tải",
            "personal_id": "001099000777",
            "phone": "0912000777",
            "phone_verified_at": timezone.now(),
            "email": "bench@example.invalid",
            "current_address": "Số 1 đường Bench, xã Định Hóa",
        },
    )
    token, _ = Token.objects.get_or_create(user=citizen)
    procedure = Procedure.objects.get(code=STAY)
    generated = Dossier.objects.filter(code__startswith="BENCHGEN-").count()
    if generated < dossiers:
        generate_dossiers(
            start=generated, count=dossiers - generated, unit=unit, procedure=procedure
        )
        with connection.cursor() as cur:
            cur.execute("ANALYZE dossiers_dossier")
    return {
        "token": token.key,
        "area": unit.area.code,
        "unit": unit,
        "citizen": citizen,
        "procedure": procedure,
    }


def generate_dossiers(*, start: int, count: int, unit, procedure) -> None:
    """`count` finished or open dossiers of the demo unit, written by one INSERT … SELECT
    generate_series (a million in about a minute)."""
    from django.db import connection, transaction

    from portal.accounts.models import User
    from portal.dossiers.models import Dossier

    citizens = list(User.objects.filter(personal_id__startswith="0").values_list("pk", flat=True))
    citizens = citizens[:20] or [User.objects.filter(is_staff=False).first().pk]
    columns = {f.column: f for f in Dossier._meta.concrete_fields if f.column != "id"}
    values = {
        "code": "'BENCHGEN-' || lpad(g::text, 8, '0')",
        "citizen_id": f"(ARRAY{citizens})[1 + g %% {len(citizens)}]",
        "procedure_id": str(procedure.pk),
        "unit_id": str(unit.pk),
        "area_id": str(unit.area_id),
        "state": "(ARRAY['result_returned','result_returned','result_returned','refused',"
        "'withdrawn','received','processing','submitted'])[1 + g %% 8]",
        "version": "3",
        "form_data": "'{}'::jsonb",
        "applicant_name": "'Nguyễn Văn Sinh ' || g",
        "applicant_personal_id": "'0011' || lpad(g::text, 8, '0')",
        "created_at": "now() - (g || ' minutes')::interval",
        "submitted_at": "now() - (g || ' minutes')::interval",
        "received_at": "now() - (g || ' minutes')::interval",
        "due_at": "now() - (g || ' minutes')::interval + interval '5 days'",
        "result_method": "'in_person'",
    }
    select = []
    for column, field in columns.items():
        if column in values:
            select.append(values[column])
        elif field.null:
            select.append("NULL")
        elif field.has_default():
            default = field.get_default()
            if isinstance(default, bool):
                select.append("true" if default else "false")
            elif isinstance(default, int):
                select.append(str(default))
            elif isinstance(default, (dict, list)):
                select.append(f"'{json.dumps(default)}'::jsonb")
            elif isinstance(default, str):
                select.append("'" + default.replace("'", "''") + "'")
            else:
                select.append("now()")
        else:
            select.append("''")
    sql = (
        f"INSERT INTO {Dossier._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM generate_series(%s, %s) AS g"
    )
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [start + 1, start + count])
    print(f"generated {count} dossiers in {time.perf_counter() - began:.1f} s", flush=True)


def stay_payload(area: str) -> dict:
    """The stay notice (2.001159) with 5 guests, as its form takes it (issue 9). The guests arrive
    tomorrow at 14:00 local time and stay four nights: a notice filed ahead of time is accepted
    whatever the day the bench runs (an arrival already past the 23:00/08:00 rule is refused)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    tomorrow = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=1)
    guests = [
        {
            "personal_id": f"00109900{1000 + i}",
            "full_name": f"Trần Thị Khách {i}",
            "date_of_birth": f"199{i}-0{i + 1}-1{i}",
            "arrives_at": f"{tomorrow.isoformat()}T14:00",
            "leaves_on": (tomorrow + timedelta(days=4)).isoformat(),
        }
        for i in range(5)
    ]
    return {
        "procedure": STAY,
        "area": area,
        "form_data": {
            "host_name": "Nguyễn Văn Đo Tải",
            "street": "Số 1 đường Bench, xã Định Hóa",
            "guests": guests,
        },
    }


# ---------------------------------------------------------------------------------------------
# queries per request (in-process, once per path)


def count_queries(data: dict) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {data['token']}")
    counts = {}
    body = json.dumps(stay_payload(data["area"]))
    # Warm the process like a running site: the catalogue answer in the shared cache, the
    # reference rows kept per catalogue version (portal/catalogue/memo.py), the compiled
    # statements; then count a steady-state request of each path.
    client.get("/api/v1/procedures/")
    warm = client.post("/api/v1/dossiers/", body, content_type="application/json")
    assert warm.status_code == 201, warm.content
    client.post(f"/api/v1/dossiers/{warm.json()['code']}/submit/", "{}", "application/json")
    client.get(f"/api/v1/dossiers/{warm.json()['code']}/")
    with CaptureQueriesContext(connection) as create:
        response = client.post("/api/v1/dossiers/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    with CaptureQueriesContext(connection) as submit:
        response = client.post(f"/api/v1/dossiers/{code}/submit/", "{}", "application/json")
    assert response.status_code == 200, response.content
    counts["submit"] = len(create) + len(submit)
    counts["create"] = len(create)
    counts["submit only"] = len(submit)
    with CaptureQueriesContext(connection) as detail:
        assert client.get(f"/api/v1/dossiers/{code}/").status_code == 200
    counts["detail"] = len(detail)
    with CaptureQueriesContext(connection) as catalogue:
        assert client.get("/api/v1/procedures/").status_code == 200
    counts["catalogue"] = len(catalogue)
    data["detail_code"] = code
    return counts


# ---------------------------------------------------------------------------------------------
# servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, app: str, env: dict, port: int):
        self.name, self.port = name, port
        full_env = {**os.environ, **env}
        full_env.pop("DJANGO_SETTINGS_MODULE", None) if name == "bare" else None
        if name == "bare":
            full_env["DJANGO_SETTINGS_MODULE"] = "bench.bare.settings"
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [
                gunicorn,
                app,
                "--workers=2",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=full_env,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited ({self.proc.returncode})")
            try:
                status, _ = asyncio.run(request(self.port, "GET", path))
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name}: not ready after {timeout} s")

    def worker_rss_mb(self) -> list[float]:
        """VmRSS of each gunicorn worker (the children of the master)."""
        out = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields.get("PPid", "0").strip()) == self.proc.pid and "VmRSS" in fields:
                out.append(int(fields["VmRSS"].split()[0]) / 1024)
        return sorted(out)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


# ---------------------------------------------------------------------------------------------
# load generator: raw asyncio streams, one HTTP/1.0 request per connection (gunicorn's sync
# workers close the connection after each response anyway), the same for both servers.


async def request(
    port: int, method: str, path: str, body: bytes = b"", token: str = ""
) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"{method} {path} HTTP/1.0", "Host: 127.0.0.1", "Accept: application/json"]
    if token:
        head.append(f"Authorization: Token {token}")
    if body or method == "POST":
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    raw = await reader.read()
    writer.close()
    status = int(raw[9:12]) if raw[:5] == b"HTTP/" else 0
    return status, raw.partition(b"\r\n\r\n")[2]


async def drive(operation, seconds: float) -> tuple[int, int]:
    """Run `operation` in CONCURRENCY loops for `seconds`: (completed, failed)."""
    done = failed = 0
    deadline = time.monotonic() + seconds

    async def loop():
        nonlocal done, failed
        while time.monotonic() < deadline:
            try:
                ok = await operation()
            except OSError:
                ok = False
            if ok:
                done += 1
            else:
                failed += 1

    await asyncio.gather(*(loop() for _ in range(CONCURRENCY)))
    return done, failed


def operations(bare: Server, portal: Server, data: dict) -> dict:
    token = data["token"]
    body = json.dumps(stay_payload(data["area"])).encode()
    detail = f"/api/v1/dossiers/{data['detail_code']}/"

    async def hello():
        return (await request(bare.port, "GET", "/hello/"))[0] == 200

    async def submit():
        status, raw = await request(portal.port, "POST", "/api/v1/dossiers/", body, token)
        if status != 201:
            return False
        code = json.loads(raw)["code"]
        status, raw = await request(
            portal.port, "POST", f"/api/v1/dossiers/{code}/submit/", b"{}", token
        )
        # received (engine) or recorded at once (issue 9's stay notice): any submitted state
        return status == 200 and json.loads(raw)["state"] != "draft"

    async def get_detail():
        return (await request(portal.port, "GET", detail, token=token))[0] == 200

    async def catalogue():
        return (await request(portal.port, "GET", "/api/v1/procedures/"))[0] == 200

    return {"hello": hello, "submit": submit, "detail": get_detail, "catalogue": catalogue}


def wrk_rate(port: int, path: str, seconds: float, token: str = "") -> float:
    headers = ["-H", "Accept: application/json"]
    if token:
        headers += ["-H", f"Authorization: Token {token}"]
    out = subprocess.run(
        [
            "wrk",
            f"-c{CONCURRENCY}",
            "-t2",
            f"-d{max(1, int(seconds))}s",
            *headers,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return 0.0


# ---------------------------------------------------------------------------------------------


def run_script(name: str, quick: bool) -> list[str]:
    script = ROOT / "bench" / name
    if not script.exists():
        return []
    print(f"\n$ {script.relative_to(ROOT)}", flush=True)
    env = {**os.environ}
    for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG"):
        env.pop(key, None)
    args = [PYTHON, str(script)]
    if quick and "--quick" in script.read_text():
        args.append("--quick")
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    sys.stdout.write(proc.stdout[-3000:])
    if proc.returncode:
        sys.stdout.write(proc.stderr[-2000:])
        return [f"# {name} failed (exit {proc.returncode})"]
    return [line for line in proc.stdout.splitlines() if line.startswith("ratio ")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds of 2 s, 200 dossiers")
    parser.add_argument("--dossiers", type=int, default=None, help="generated dossiers (1000)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="per path and round")
    parser.add_argument("--no-scripts", action="store_true", help="skip notifications/documents")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (2.0 if args.quick else 4.0)
    dossiers = args.dossiers if args.dossiers is not None else (200 if args.quick else 1000)

    ensure_database()
    setup_django()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    data = load_data(dossiers)
    queries = count_queries(data)

    storage = tempfile.mkdtemp(prefix="portal-bench-")
    env = {**PORTAL_ENV, "PRIVATE_STORAGE_ROOT": storage, "STATIC_ROOT": storage + "/static"}
    bare = Server("bare", "bench.bare.wsgi:application", {}, free_port())
    portal = Server("portal", "portal.wsgi:application", env, free_port())
    use_wrk = shutil.which("wrk") is not None
    try:
        bare.wait_ready("/hello/")
        portal.wait_ready("/api/v1/procedures/")
        ops = operations(bare, portal, data)
        print(
            f"load: {'wrk' if use_wrk else 'asyncio client'}, {CONCURRENCY} connections, "
            f"{rounds} rounds × {seconds:g} s per path, {dossiers} generated dossiers",
            flush=True,
        )
        asyncio.run(drive(ops["hello"], 0.5))  # warm up both
        for name in ("catalogue", "detail", "submit"):
            asyncio.run(drive(ops[name], 0.5))
        # Each ratio compares like with like: the same load generator drives the portal path and
        # the bare hello it is divided by. The asyncio client (one new connection per request, as
        # gunicorn's sync workers close them anyway) drives everything; with wrk installed, the
        # GET paths are also driven by wrk against a hello driven by wrk ("… (wrk)" rows).
        names = ["hello", "submit", "detail", "catalogue"]
        if use_wrk:
            names += ["hello (wrk)", "detail (wrk)", "catalogue (wrk)"]
        rates: dict[str, list[float]] = {name: [] for name in names}
        failures: dict[str, int] = dict.fromkeys(names, 0)
        detail_path = f"/api/v1/dossiers/{data['detail_code']}/"
        order = ["hello", "submit", "hello", "detail", "hello", "catalogue"]
        if use_wrk:
            order += ["hello (wrk)", "detail (wrk)", "hello (wrk)", "catalogue (wrk)"]
        for round_ in range(rounds):
            for name in order:
                if name.endswith("(wrk)"):
                    base = name.removesuffix(" (wrk)")
                    server = bare if base == "hello" else portal
                    path = {"hello": "/hello/", "catalogue": "/api/v1/procedures/"}.get(
                        base, detail_path
                    )
                    token = data["token"] if base == "detail" else ""
                    rates[name].append(wrk_rate(server.port, path, seconds, token))
                    continue
                done, failed = asyncio.run(drive(ops[name], seconds))
                rates[name].append(done / seconds)
                failures[name] += failed
            print(
                f"round {round_ + 1}: "
                + ", ".join(f"{k} {v[-1]:.1f}/s" for k, v in rates.items() if v),
                flush=True,
            )
        rss = {"bare": bare.worker_rss_mb(), "portal": portal.worker_rss_mb()}
    finally:
        bare.stop()
        portal.stop()
        shutil.rmtree(storage, ignore_errors=True)

    hello = statistics.median(rates["hello"])
    rows = [
        ("create + submit a stay notice (2.001159, 5 guests)", "submit", "dossiers/s"),
        ("GET /api/v1/dossiers/{code}/", "detail", "req/s"),
        ("GET /api/v1/procedures/", "catalogue", "req/s"),
    ]
    if use_wrk:
        rows += [
            ("GET /api/v1/dossiers/{code}/ (wrk)", "detail (wrk)", "req/s"),
            ("GET /api/v1/procedures/ (wrk)", "catalogue (wrk)", "req/s"),
        ]
    print()
    print("| path | bare hello | portal | ratio | queries/request |")
    print("|---|---|---|---|---|")
    ratios = {}
    for label, name, unit in rows:
        base = statistics.median(rates["hello (wrk)"]) if name.endswith("(wrk)") else hello
        value = statistics.median(rates[name])
        ratios[name] = value / base if base else 0.0
        key = name.removesuffix(" (wrk)")
        q = (
            f"{queries['create']} + {queries['submit only']}"
            if key == "submit"
            else str(queries[key])
        )
        print(f"| {label} | {base:,.0f} req/s | {value:,.1f} {unit} | {ratios[name]:.3f} | {q} |")
    print(
        f"| web worker RSS after the run | {max(rss['bare'] or [0]):.0f} MB | "
        f"{max(rss['portal'] or [0]):.0f} MB | "
        f"{max(rss['portal'] or [0]) / max(max(rss['bare'] or [1]), 1):.1f}× | |"
    )
    failed = {k: v for k, v in failures.items() if v}
    if failed:
        print(f"failed requests: {failed}")
    lines = [f"ratio {name} {ratios[name]:.3f}" for name in ("submit", "detail", "catalogue")]
    for line in lines:
        print(line, flush=True)
    if not args.no_scripts:
        extra = run_script("notifications.py", args.quick) + run_script("documents.py", args.quick)
        if extra:
            print()
            for line in lines + extra:
                print(line)


if __name__ == "__main__":
    main()
