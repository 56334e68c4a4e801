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
Usage: .venv/bin/python bench/notifications.py [--notifications 1000] [--noops 1000]
"""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--noops", type=int, default=1000)
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
    try:
        # 1. bare no-op tasks
        start = time.perf_counter()
        for _ in range(args.noops):
            noop.delay()
        wait_for(
            lambda: worker.output().count("Task notifications.noop[") >= args.noops,
            timeout=600,
            interval=0.05,
        )
        noop_rate = args.noops / (time.perf_counter() - start)

        # 2. notifications: one transaction writes them, commit enqueues, the worker delivers
        context = {
            "dossier_code": "BENCH-20260609-0001",
            "procedure_name": "Đăng ký tạm trú",
            "unit_name": "Công an phường Bench",
            "collection_method": "Nhận trực tiếp",
        }
        start = time.perf_counter()
        with transaction.atomic():
            for i in range(args.notifications):
                notify(
                    event=ev.RESULT_READY,
                    phone=f"+8491{i:07d}",
                    context=context,
                    channels=("sms",),
                )
        written = time.perf_counter() - start
        wait_for(
            lambda: Notification.objects.filter(status=Status.SENT).count() >= args.notifications,
            timeout=600,
            interval=0.1,
        )
        total = time.perf_counter() - start
        notif_rate = args.notifications / total
        assert len(gateway.accepted) == args.notifications, "each notice sent exactly once"
    finally:
        worker.stop()
        gateway.close()
        flush_redis()

    print(f"bare Celery no-op task:      {noop_rate:8.1f} tasks/s   ({args.noops} tasks)")
    print(
        f"notifications (SMS, HTTP):   {notif_rate:8.1f} delivered/s ({args.notifications} notices)"
    )
    print(
        f"  of which writing the notices (notify, one transaction): {written:.2f} s of {total:.2f} s"
    )
    print(f"ratio notifications / no-op: {notif_rate / noop_rate:8.2f}")
    print("one worker, --pool=solo, Redis broker, PostgreSQL, loopback HTTP gateway, batched")
    print(f"ratio notifications {notif_rate / noop_rate:.3f}")


if __name__ == "__main__":
    main()
