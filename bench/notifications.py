"""Benchmark: notifications delivered per second through ONE Celery worker (solo pool) with the
loopback HTTP gateway, next to the rate of a bare no-op task measured in the same run.

The notices are written in one transaction (as an event with many recipients would), so they go
the batched path: one `notifications.deliver_batch` task per BATCH_SIZE ids, claimed with one
UPDATE … RETURNING, sent over one keep-alive HTTP session, outcomes recorded in one transaction.
The time runs from the start of that transaction until every notice is "sent" in the database.

Last line: `ratio notifications <notices per second / no-op tasks per second>` (target ≥ 0.5),
re-printed by `make bench`.

Needs PostgreSQL (the worker shares the database; `portal_bench_notifications` is created) and
Redis (REDIS_URL, default db 11; the benchmark flushes that Redis database).
Usage: .venv/bin/python bench/notifications.py [--notifications 500] [--noops 500] [--rounds 3]
(rounds alternate no-op tasks and notices; the medians are compared)
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
DB_NAME = "portal_bench_notifications"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["LOG_LEVEL"] = "WARNING"


def ensure_database() -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notifications", type=int, default=500)
    parser.add_argument("--noops", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)

    from notifications import events as ev
    from notifications.models import Notification, Status
    from notifications.services import notify
    from notifications.tasks import noop
    from tests.notifications.conftest import LoopbackGateway
    from tests.notifications.realworker import Worker, database_url, flush_redis, wait_for

    flush_redis()
    Notification.objects.all().delete()
    gateway = LoopbackGateway()
    tmp = Path(tempfile.mkdtemp(prefix="bench-notif-"))
    worker = Worker(
        db_url=database_url(connection.settings_dict),
        env={"SMS_BACKEND": "http", "SMS_GATEWAY_URL": gateway.url, "LOG_LEVEL": "INFO"},
        log_path=tmp / "worker.log",
    )
    context = {
        "dossier_code": "BENCH-20260609-0001",
        "procedure_name": "Đăng ký tạm trú",
        "unit_name": "Công an phường Bench",
        "collection_method": "Nhận trực tiếp",
    }
    noop_rates: list[float] = []
    notif_rates: list[float] = []
    written_shares: list[float] = []
    try:
        for round_no in range(args.rounds):
            # 1. bare no-op tasks (counted when the worker logs them done)
            done_before = worker.output().count("] succeeded in")
            start = time.perf_counter()
            for _ in range(args.noops):
                noop.delay()
            wait_for(
                lambda before=done_before: (
                    worker.output().count("] succeeded in") - before >= args.noops
                ),
                timeout=600,
                interval=0.02,
            )
            noop_rates.append(args.noops / (time.perf_counter() - start))

            # 2. notifications: one transaction writes them (as one event with many recipients
            # would), its commit enqueues them, the worker delivers them in batches
            sent_before = Notification.objects.filter(status=Status.SENT).count()
            start = time.perf_counter()
            with transaction.atomic():
                for i in range(args.notifications):
                    notify(
                        event=ev.RESULT_READY,
                        phone=f"+8491{round_no}{i:06d}",
                        context=context,
                        channels=("sms",),
                    )
            written = time.perf_counter() - start
            wait_for(
                lambda before=sent_before: (
                    Notification.objects.filter(status=Status.SENT).count() - before
                    >= args.notifications
                ),
                timeout=600,
                interval=0.02,
            )
            total = time.perf_counter() - start
            notif_rates.append(args.notifications / total)
            written_shares.append(written / total)
        assert len(gateway.accepted) == args.notifications * args.rounds, "each sent exactly once"
    finally:
        worker.stop()
        gateway.close()
        flush_redis()

    noop_rate = statistics.median(noop_rates)
    notif_rate = statistics.median(notif_rates)
    print(
        f"bare Celery no-op task:      {noop_rate:8.1f} tasks/s   "
        f"(median of {args.rounds} rounds of {args.noops})"
    )
    print(
        f"notifications (SMS, HTTP):   {notif_rate:8.1f} delivered/s "
        f"(median of {args.rounds} rounds of {args.notifications}; "
        f"{statistics.median(written_shares):.0%} of the time is writing them in the transaction)"
    )
    print("one worker, --pool=solo, Redis broker, PostgreSQL, loopback HTTP gateway, batched")
    print(f"ratio notifications {notif_rate / noop_rate:.3f}")


if __name__ == "__main__":
    main()
