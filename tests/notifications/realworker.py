"""A real Celery worker subprocess on Redis sharing the PostgreSQL test database.

The broker is the environment's REDIS_URL (CI: redis://127.0.0.1:6379/14), else Redis db 11 on the
local server. The test module flushes that database before and after the worker runs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from portal.celery import app as celery_app

REDIS_TEST_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/11"
ROOT = Path(__file__).resolve().parents[2]


def redis_available(url: str = REDIS_TEST_URL) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def flush_redis(url: str = REDIS_TEST_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class Worker:
    def __init__(self, *, db_url: str, env: dict, log_path: Path):
        self.log_path = log_path
        full_env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "REDIS_URL": REDIS_TEST_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
            "NOTIFICATIONS_RETRY_MAX_SECONDS": "0.5",
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.log = open(log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                "celery,otp",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"notif-test-{os.getpid()}@%h",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.output()[-3000:]}")
            if "ready." in self.output():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"worker did not start: {self.output()[-3000:]}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@contextlib.contextmanager
def producer_broker(url: str):
    """Point this process's Celery producer at `url` (eager off) for the duration."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager)
    _reset_pools()
    conf.broker_url = url
    conf.task_always_eager = False
    try:
        yield
    finally:
        _reset_pools()
        conf.broker_url, conf.task_always_eager = saved


def _reset_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
