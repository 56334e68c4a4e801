"""A real Celery worker is killed (SIGKILL) after the loopback gateway accepted its SMS and before
it could record the outcome; a second worker takes over through the sweeper once the claim lease
is over. The gateway's status lookup tells it the message went out: exactly one send.

Real parts: PostgreSQL shared with the workers, Redis, worker subprocesses, the loopback gateway."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications import events as ev
from notifications import services
from notifications.models import DeliveryAttempt, Notification, Status
from tests.conftest import require_service
from tests.notifications.conftest import LoopbackGateway
from tests.notifications.realworker import (
    REDIS_TEST_URL,
    Worker,
    database_url,
    flush_redis,
    producer_broker,
    redis_available,
    wait_for,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CTX = {
    "dossier_code": "G09.20-20260609-0101",
    "procedure_name": "Đăng ký tạm trú",
    "unit_name": "Công an phường Túc Duyên",
    "collection_method": "Nhận trực tiếp tại trụ sở",
}


@pytest.fixture
def parts(settings, tmp_path):
    require_service(
        connection.vendor == "postgresql", "PostgreSQL (the worker shares the test database)"
    )
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    flush_redis()
    gateway = LoopbackGateway()
    env = {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_STATUS_URL": gateway.status_url,
        "SMS_GATEWAY_API_KEY": "worker-key",
        "PRIVATE_STORAGE_ROOT": str(tmp_path / "private"),
    }
    workers: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(
            db_url=database_url(connection.settings_dict), env=env, log_path=tmp_path / name
        )
        workers.append(worker)
        return worker

    # This process only enqueues: its own SMS settings point nowhere.
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/never-used"
    with producer_broker(REDIS_TEST_URL):
        yield gateway, start
    for worker in workers:
        worker.stop()
    gateway.close()
    flush_redis()


def test_worker_killed_after_the_gateway_accepted_sends_exactly_once(parts, citizen):
    gateway, start = parts
    gateway.hold = threading.Event()  # accept, then keep the worker waiting for the answer
    first = start("worker-1.log")
    with transaction.atomic():
        (sms,) = services.notify(
            event=ev.RESULT_READY, user=citizen, context=CTX, channels=("sms",)
        )
    wait_for(lambda: len(gateway.received) == 1)
    first.proc.kill()  # dies between the gateway's acceptance and the outcome
    first.proc.wait(timeout=15)
    gateway.hold.set()

    sms.refresh_from_db()
    assert sms.status == Status.SENDING and sms.attempts == 1
    assert not DeliveryAttempt.objects.filter(notification=sms).exists()

    # within the claim lease (120 s by default) nothing is re-queued
    assert services.sweep(older_than_seconds=0) == 0
    start("worker-2.log")
    # the lease is over (moved back rather than waited for): the sweeper hands it to the new worker
    Notification.objects.filter(pk=sms.pk).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.sweep(older_than_seconds=0) == 1
    wait_for(
        lambda: Notification.objects.filter(pk=sms.pk, status=Status.SENT).exists(), timeout=30
    )
    sms.refresh_from_db()
    assert len(gateway.received) == 1, "the SMS was sent twice"
    assert gateway.lookups == [str(sms.reference)]
    assert sms.provider_reference == gateway.received[0]["id"]
