"""End to end with real parts: Redis (REDIS_URL, else db 11), a Celery worker subprocess,
PostgreSQL shared with the worker (transactional tests), the loopback HTTP gateway and a loopback
SMTP server. A broker that is down is a closed port (the shared Redis cannot be stopped)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from notifications import events as ev
from notifications import services
from notifications.models import DeliveryAttempt, Notification, Status
from notifications.services import notify
from tests.conftest import require_service
from tests.notifications.conftest import LoopbackGateway, SmtpSink
from tests.notifications.realworker import (
    REDIS_TEST_URL,
    Worker,
    database_url,
    flush_redis,
    producer_broker,
    redis_available,
    wait_for,
)

pytestmark = [pytest.mark.redis, pytest.mark.smtp, pytest.mark.django_db(transaction=True)]

CTX = {
    "dossier_code": "G09.20-20260609-0100",
    "procedure_name": "Đăng ký tạm trú",
    "unit_name": "Công an phường Túc Duyên",
    "collection_method": "Nhận trực tiếp tại trụ sở",
}
CLOSED_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(scope="module")
def worker_parts(django_db_setup, django_db_blocker, tmp_path_factory):
    require_service(
        connection.vendor == "postgresql", "PostgreSQL (the worker shares the test database)"
    )
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    flush_redis()
    gateway = LoopbackGateway()
    smtp = SmtpSink()
    tmp = tmp_path_factory.mktemp("worker")
    worker = Worker(
        db_url=database_url(connection.settings_dict),
        env={
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": gateway.url,
            "SMS_GATEWAY_API_KEY": "worker-key",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "PRIVATE_STORAGE_ROOT": str(tmp / "private"),
        },
        log_path=tmp / "worker.log",
    )
    yield gateway, smtp, worker
    worker.stop()
    gateway.close()
    smtp.close()
    flush_redis()


@pytest.fixture
def real_worker(worker_parts, settings):
    gateway, smtp, worker = worker_parts
    gateway.script.clear()
    gateway.received.clear()
    smtp.messages.clear()
    # This process must not send itself: its SMS/email settings point nowhere useful.
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/never-used"
    with producer_broker(REDIS_TEST_URL):
        yield gateway, smtp, worker


def _final(pk):
    return Notification.objects.filter(
        pk=pk, status__in=[Status.SENT, Status.DELIVERED, Status.PERMANENT_FAILURE]
    ).exists()


def test_event_reaches_loopback_gateway_and_smtp_through_the_worker(real_worker, citizen):
    gateway, smtp, _worker = real_worker
    with transaction.atomic():
        sms, email = notify(event=ev.RESULT_READY, user=citizen, context=CTX)
    wait_for(lambda: _final(sms.pk) and _final(email.pk))
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.status == Status.SENT and email.status == Status.DELIVERED
    assert [r["json"]["to"] for r in gateway.accepted] == ["+84912345678"]
    assert gateway.accepted[0]["headers"]["Authorization"] == "Bearer worker-key"
    ((rcpt, message),) = smtp.messages
    assert rcpt == ["huong@example.vn"]
    assert "G09.20-20260609-0100" in message["Subject"]


def test_a_process_without_celery_hands_the_notice_to_the_workers_relay(
    real_worker, citizen, settings
):
    """A web worker does not load Celery (portal/core/dispatch.py): it puts the task on the relay
    list and the worker's relay step publishes it. This process's own broker is a closed port
    here, so the notice can only reach the gateway through the worker's relay."""
    import redis

    from portal.core.dispatch import RELAY_KEY

    gateway, _smtp, worker = real_worker
    settings.TASK_RELAY = "always"
    settings.TASK_RELAY_URL = REDIS_TEST_URL
    with producer_broker(CLOSED_BROKER), transaction.atomic():
        (sms,) = notify(event=ev.RESULT_READY, user=citizen, context=CTX, channels=("sms",))
    wait_for(lambda: _final(sms.pk))
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert [r["json"]["to"] for r in gateway.accepted] == ["+84912345678"]
    assert redis.Redis.from_url(REDIS_TEST_URL).llen(RELAY_KEY) == 0
    assert "task relay: forwarding" in worker.output()


def test_gateway_500_500_200_through_the_worker(real_worker, citizen):
    gateway, _smtp, _worker = real_worker
    gateway.script.extend([500, 500, 200])
    with transaction.atomic():
        (sms,) = notify(event=ev.RESULT_READY, user=citizen, context=CTX, channels=("sms",))
    wait_for(lambda: _final(sms.pk))
    sms.refresh_from_db()
    assert sms.status == Status.SENT and sms.attempts == 3
    assert [r["status"] for r in gateway.received] == [500, 500, 200]
    assert list(
        DeliveryAttempt.objects.filter(notification=sms).values_list("outcome", flat=True)
    ) == ["retryable", "retryable", "ok"]


def test_gateway_400_through_the_worker_is_not_retried(real_worker, citizen):
    gateway, _smtp, _worker = real_worker
    gateway.script.append(400)
    with transaction.atomic():
        (sms,) = notify(event=ev.RESULT_READY, user=citizen, context=CTX, channels=("sms",))
    wait_for(lambda: _final(sms.pk))
    import time

    time.sleep(1.0)  # a wrongly scheduled retry would show up here
    sms.refresh_from_db()
    assert sms.status == Status.PERMANENT_FAILURE and sms.attempts == 1
    assert len(gateway.received) == 1


def test_broker_down_at_event_time_then_sweeper_delivers_exactly_once(real_worker, citizen):
    gateway, smtp, _worker = real_worker
    with producer_broker(CLOSED_BROKER), transaction.atomic():
        citizen.full_name = "Nguyễn Thị Hương (đã đổi)"  # the event's own change
        citizen.save(update_fields=["full_name"])
        sms, email = notify(event=ev.RESULT_READY, user=citizen, context=CTX)
    # the change committed and the notices wait in "created"
    citizen.refresh_from_db()
    assert citizen.full_name.endswith("(đã đổi)")
    assert set(
        Notification.objects.filter(pk__in=[sms.pk, email.pk]).values_list("status", flat=True)
    ) == {Status.CREATED}
    assert gateway.received == [] and smtp.messages == []
    # broker back: the sweeper re-queues; a duplicate enqueue must not send twice
    assert services.sweep(older_than_seconds=0) == 2
    services.enqueue([(sms.pk, "celery"), (email.pk, "celery")])
    wait_for(lambda: _final(sms.pk) and _final(email.pk))
    import time

    time.sleep(1.0)
    assert services.sweep(older_than_seconds=0) == 0
    assert len(gateway.accepted) == 1 and len(smtp.messages) == 1
    assert Notification.objects.get(pk=sms.pk).attempts == 1


def test_one_time_code_goes_through_the_otp_queue(real_worker, citizen):
    gateway, _smtp, _worker = real_worker
    from notifications import otp

    with transaction.atomic():
        otp.issue_code(phone=citizen.phone, purpose="verify_phone:1", ip="127.0.0.1")
    row = Notification.objects.get(event=ev.OTP_CODE)
    assert row.queue == "otp"
    wait_for(lambda: _final(row.pk))
    (sent,) = gateway.accepted
    code = sent["json"]["text"].split(": ")[1][:6]
    assert otp.verify_code(phone=citizen.phone, purpose="verify_phone:1", code=code)
    row.refresh_from_db()
    assert code not in row.body
