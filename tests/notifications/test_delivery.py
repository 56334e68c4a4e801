"""Delivery through the loopback HTTP gateway: retries, permanent failures, claims, sweeper, purge."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from notifications import events as ev
from notifications import services
from notifications.models import DeliveryAttempt, Notification, Status
from notifications.services import notify
from notifications.tasks import deliver_notification

pytestmark = pytest.mark.django_db

CTX = {
    "dossier_code": "G09.20-20260609-0007",
    "procedure_name": "Khai báo tạm vắng",
    "unit_name": "Công an xã Tân Cương",
    "collection_method": "Nhận trực tiếp tại trụ sở",
}


def _sms(citizen) -> Notification:
    (row,) = notify(event=ev.RESULT_READY, user=citizen, context=CTX, channels=("sms",))
    return row


def test_gateway_500_500_200_delivers_once_with_attempts_recorded(citizen, gateway):
    gateway.script = [500, 500, 200]
    row = _sms(citizen)
    deliver_notification.apply(args=[row.pk])  # eager: the task's retries run inline
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 3
    assert [r["status"] for r in gateway.received] == [500, 500, 200]
    assert len(gateway.accepted) == 1
    outcomes = list(row.delivery_attempts.values_list("number", "outcome"))
    assert outcomes == [(1, "retryable"), (2, "retryable"), (3, "ok")]
    sent = gateway.accepted[0]
    assert sent["headers"]["Authorization"] == "Bearer test-key"
    assert sent["headers"]["Idempotency-Key"] == str(row.reference)
    assert sent["json"]["to"] == "+84912345678"
    assert sent["json"]["text"].startswith("Đã có kết quả hồ sơ G09.20-20260609-0007")
    assert sent["json"]["encoding"] == "ucs2"
    assert row.provider_reference.startswith("gw-")


def test_gateway_400_is_a_permanent_failure_without_retry(citizen, gateway):
    gateway.script = [400]
    row = _sms(citizen)
    deliver_notification.apply(args=[row.pk])
    row.refresh_from_db()
    assert row.status == Status.PERMANENT_FAILURE and row.attempts == 1
    assert len(gateway.received) == 1
    assert "HTTP 400" in row.last_error


def test_retries_stop_at_the_maximum_as_technical_failure(citizen, gateway, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    gateway.script = [503] * 10
    row = _sms(citizen)
    deliver_notification.apply(args=[row.pk])
    row.refresh_from_db()
    assert row.status == Status.TECHNICAL_FAILURE and row.attempts == 3
    assert len(gateway.received) == 3


def test_unreachable_gateway_is_retryable(citizen, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/closed"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    row = _sms(citizen)
    assert services.deliver(notification_id=row.pk).status == "retry"
    row.refresh_from_db()
    assert row.status == Status.SENDING and row.next_attempt_at is not None


def test_a_duplicate_task_cannot_send_twice(citizen, gateway):
    row = _sms(citizen)
    first = services.claim(notification_id=row.pk)
    assert first is not None
    assert services.claim(notification_id=row.pk) is None  # the second task loses the claim
    assert services.deliver(notification_id=row.pk).status == "skipped"
    assert gateway.received == []
    # and once delivered, any later task is a no-op
    Notification.objects.filter(pk=row.pk).update(locked_until=None)
    assert services.deliver(notification_id=row.pk).status == "sent"
    assert services.deliver(notification_id=row.pk).status == "skipped"
    assert len(gateway.accepted) == 1


def test_status_never_moves_backwards(citizen):
    row = _sms(citizen)
    assert services.advance_status(notification_id=row.pk, status=Status.DELIVERED)
    assert not services.advance_status(notification_id=row.pk, status=Status.SENDING)
    assert not services.advance_status(notification_id=row.pk, status=Status.SENT)
    assert not services.advance_status(notification_id=row.pk, status=Status.PERMANENT_FAILURE)
    row.refresh_from_db()
    assert row.status == Status.DELIVERED


def test_too_old_notification_fails_instead_of_sending(citizen, gateway):
    row = _sms(citizen)
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert services.deliver(notification_id=row.pk).status == "failed"
    row.refresh_from_db()
    assert row.status == Status.TECHNICAL_FAILURE and gateway.received == []


def test_sweeper_requeues_stuck_rows_and_delivers_them_once(citizen, gateway):
    row = _sms(citizen)  # no on_commit ran: as if the broker was down
    assert row.status == Status.CREATED
    assert services.sweep(older_than_seconds=3600) == 0  # too fresh
    assert services.sweep(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert services.sweep(older_than_seconds=0) == 0
    assert len(gateway.accepted) == 1


def test_backoff_grows_exponentially_with_jitter(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 1000
    samples = [services.backoff_seconds(n) for n in (1, 2, 3, 4) for _ in range(20)]
    for i, n in enumerate((1, 2, 3, 4)):
        chunk = samples[i * 20 : (i + 1) * 20]
        assert all(5 * 2 ** (n - 1) <= s <= 10 * 2 ** (n - 1) for s in chunk)
        assert len(set(chunk)) > 1  # jitter
    assert services.backoff_seconds(30) <= 1000


def test_retention_purge_blanks_personal_content_and_keeps_counts(citizen):
    old = _sms(citizen)
    services.advance_status(notification_id=old.pk, status=Status.DELIVERED)
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    recent = _sms(citizen)
    services.advance_status(notification_id=recent.pk, status=Status.DELIVERED)
    assert services.purge_personal_content(older_than_days=365) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.recipient, old.body, old.status) == ("", "", Status.DELIVERED)
    assert old.purged_at and old.dossier_code == CTX["dossier_code"]
    assert recent.body and recent.recipient
    assert Notification.objects.filter(event=ev.RESULT_READY).count() == 2


def test_logs_mask_phone_and_email(citizen, gateway, caplog):
    gateway.script = [500, 200]
    with caplog.at_level(logging.INFO, logger="notifications"):
        rows = notify(event=ev.RESULT_READY, user=citizen, context=CTX)
        for row in rows:
            deliver_notification.apply(args=[row.pk])
    text = caplog.text
    assert "+84912345678" not in text and "huong@example.vn" not in text
    assert "+849*****678" in text and "h***@example.vn" in text
    assert DeliveryAttempt.objects.count() == 3


def test_one_time_codes_fail_fast_on_a_silent_gateway(settings):
    """A gateway that accepts the connection and never answers: a code gives up after two short
    waits (own timeout, two attempts), while an ordinary notice keeps its long timeout."""
    import socket
    import time

    from notifications import otp

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # never accepts: requests hang until the client's timeout
    try:
        settings.SMS_BACKEND = "http"
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/sms"
        settings.NOTIFICATIONS_SMS_GATEWAY_TIMEOUT = 30
        settings.NOTIFICATIONS_OTP_GATEWAY_TIMEOUT = 0.3
        otp.issue_code(phone="+84912345678", purpose="t", ip="10.0.0.1")
        row = Notification.objects.get(event=ev.OTP_CODE)
        assert row.queue == "otp"
        started = time.monotonic()
        services.enqueue([(row.pk, row.queue)])  # eager: both attempts run inline
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    row.refresh_from_db()
    assert row.status == Status.TECHNICAL_FAILURE and row.attempts == 2
    assert elapsed < 5
    assert row.body == "[đã ẩn]"  # the code does not stay in the row


def test_tasks_take_ids_ack_late_and_codes_have_their_own_queue(citizen, monkeypatch, settings):
    from notifications import otp, tasks

    for task in (tasks.deliver_batch, tasks.deliver_notification, tasks.deliver_otp):
        assert task.acks_late and task.reject_on_worker_lost
    assert settings.CELERY_TASK_ROUTES["notifications.deliver_otp"] == {"queue": "otp"}
    sent = []

    def capture(name):
        return lambda *args, **kwargs: sent.append((name, kwargs["args"], kwargs["queue"]))

    monkeypatch.setattr(tasks.deliver_batch, "apply_async", capture("deliver_batch"))
    monkeypatch.setattr(tasks.deliver_otp, "apply_async", capture("deliver_otp"))
    row = _sms(citizen)
    services.enqueue([(row.pk, row.queue)])
    otp.issue_code(phone="+84912345678", purpose="t", ip="10.0.0.1")
    code_row = Notification.objects.get(event=ev.OTP_CODE)
    services.enqueue([(code_row.pk, code_row.queue)])
    assert sent == [("deliver_batch", [[row.pk]], "celery"), ("deliver_otp", [code_row.pk], "otp")]
