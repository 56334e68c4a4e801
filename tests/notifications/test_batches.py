"""Delivery in batches: the notices of one transaction go to ONE task, which claims them with one
statement, sends them over one keep-alive connection per provider and records the outcomes in one
transaction. Real parts: the loopback HTTP gateway, the loopback SMTP server, PostgreSQL; eager
Celery in-process, and a real Celery worker on Redis for the "one task" check."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications import events as ev
from notifications import services
from notifications.models import DeliveryAttempt, Notification, Status
from notifications.services import notify
from tests.notifications.realworker import wait_for

CTX = {
    "dossier_code": "G09.20-20260609-0200",
    "procedure_name": "Đăng ký tạm trú",
    "unit_name": "Công an phường Túc Duyên",
    "collection_method": "Nhận trực tiếp tại trụ sở",
}


def _notices(n: int, *, channels=("sms",), start: int = 0) -> list[Notification]:
    rows = []
    for i in range(start, start + n):
        rows += notify(
            event=ev.RESULT_READY,
            phone=f"+849120{i:05d}",
            email=f"nguoi{i}@example.vn",
            context=CTX,
            channels=channels,
        )
    return rows


def _statuses(rows) -> dict[int, str]:
    return dict(
        Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "status")
    )


@pytest.fixture
def batch_tasks(monkeypatch):
    """The ids of each deliver_batch task queued (the task still runs: eager)."""
    from notifications import tasks

    queued: list[list[int]] = []
    real = tasks.deliver_batch.apply_async

    def apply_async(*args, **kwargs):
        queued.append(list(kwargs["args"][0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks.deliver_batch, "apply_async", apply_async)
    return queued


@pytest.mark.django_db
def test_the_notices_of_one_transaction_go_to_one_task(
    gateway, batch_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = _notices(5, channels=("sms", "email"))
    assert len(rows) == 10
    assert batch_tasks == [[r.pk for r in rows]]  # one task with every id
    statuses = _statuses(rows)
    assert {statuses[r.pk] for r in rows if r.channel == "sms"} == {Status.SENT}
    assert len({r["peer"] for r in gateway.received}) == 1


@pytest.mark.django_db
def test_a_rolled_back_savepoint_does_not_lose_the_later_notices(
    gateway, batch_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():  # its notice and its on-commit callback are rolled back
                _notices(1)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        rows = _notices(2, start=10)
    assert len(batch_tasks) == 1
    assert set(batch_tasks[0]) >= {r.pk for r in rows}  # (the rolled-back id rides along)
    assert set(_statuses(rows).values()) == {Status.SENT}
    assert sorted(r["json"]["to"] for r in gateway.accepted) == sorted(r.recipient for r in rows)


@pytest.mark.django_db
def test_a_batch_is_sent_over_one_http_connection_and_all_are_sent(gateway):
    rows = _notices(6)
    outcomes = services.deliver_batch(notification_ids=[r.pk for r in rows])
    assert {o.status for o in outcomes.values()} == {"sent"}
    assert set(_statuses(rows).values()) == {Status.SENT}
    assert sorted(r["json"]["to"] for r in gateway.accepted) == sorted(r.recipient for r in rows)
    assert len({r["peer"] for r in gateway.received}) == 1  # one keep-alive session
    # every notice got its own idempotency key and its own attempt row
    assert len({r["key"] for r in gateway.received}) == 6
    assert DeliveryAttempt.objects.filter(outcome="ok").count() == 6


@pytest.mark.django_db
def test_emails_of_a_batch_share_one_smtp_connection(smtp_server):
    rows = _notices(4, channels=("email",))
    services.deliver_batch(notification_ids=[r.pk for r in rows])
    assert set(_statuses(rows).values()) == {Status.DELIVERED}
    assert len(smtp_server.messages) == 4
    assert len(set(smtp_server.peers)) == 1


@pytest.mark.django_db
def test_one_failure_does_not_fail_the_others_and_the_retry_sends_it(gateway):
    rows = _notices(4)
    # answers in claim order (by id): 2nd refused for good, 3rd a temporary error then accepted
    gateway.script = [200, 400, 503, 200, 200]
    from notifications.tasks import deliver_batch

    deliver_batch.apply(args=[[r.pk for r in rows]])  # eager: the retry runs inline
    statuses = _statuses(rows)
    assert [statuses[r.pk] for r in rows] == [
        Status.SENT,
        Status.PERMANENT_FAILURE,
        Status.SENT,
        Status.SENT,
    ]
    third = Notification.objects.get(pk=rows[2].pk)
    assert third.attempts == 2
    assert list(third.delivery_attempts.values_list("outcome", flat=True)) == ["retryable", "ok"]
    assert Notification.objects.get(pk=rows[1].pk).attempts == 1  # a 400 is not retried
    assert len(gateway.accepted) == 3


@pytest.mark.django_db
def test_statuses_only_move_forward_in_a_batch(gateway):
    rows = _notices(3)
    services.advance_status(notification_id=rows[0].pk, status=Status.DELIVERED)  # a receipt
    services.deliver_batch(notification_ids=[r.pk for r in rows])
    statuses = _statuses(rows)
    assert statuses[rows[0].pk] == Status.DELIVERED  # final: neither claimed nor sent again
    assert statuses[rows[1].pk] == statuses[rows[2].pk] == Status.SENT
    assert len(gateway.accepted) == 2
    # a second task for the same ids (a duplicate) sends nothing
    assert {
        o.status for o in services.deliver_batch(notification_ids=[r.pk for r in rows]).values()
    } == {"skipped"}
    assert len(gateway.accepted) == 2


@pytest.mark.django_db(transaction=True)
def test_a_receipt_arriving_while_the_batch_sends_is_kept(gateway):
    """The gateway reports delivery of the first SMS before it answers the POST: the outcome
    recorded afterwards (sent) must not move the notice back from delivered."""
    gateway.hold = threading.Event()
    created: list[Notification] = []
    errors: list[BaseException] = []

    def producer():
        try:
            with transaction.atomic():  # eager: the commit runs the batch in this thread
                created.extend(_notices(2))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=producer)
    thread.start()
    try:
        first = wait_for(lambda: gateway.received and gateway.received[0], timeout=20)
        result = services.record_receipt(
            provider="http",
            receipt_id="dlr-1",
            reference=first["key"],
            status="delivered",
            occurred_at=None,
        )
        assert result.applied
    finally:
        gateway.hold.set()
        thread.join(30)
    assert not errors
    statuses = _statuses(created)
    assert statuses[created[0].pk] == Status.DELIVERED
    assert statuses[created[1].pk] == Status.SENT
    row = Notification.objects.get(pk=created[0].pk)
    assert row.provider_reference == first["id"]  # the gateway's id is kept all the same


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_the_batch(gateway):
    small = _notices(2)
    large = _notices(25, start=100)
    with CaptureQueriesContext(connection) as few:
        services.deliver_batch(notification_ids=[r.pk for r in small])
    with CaptureQueriesContext(connection) as many:
        services.deliver_batch(notification_ids=[r.pk for r in large])
    assert set(_statuses(small + large).values()) == {Status.SENT}
    assert len(many.captured_queries) == len(few.captured_queries)
    # PostgreSQL: claim (one UPDATE … RETURNING), lock, insert attempts, one UPDATE, savepoints;
    # elsewhere the claim takes three statements and a savepoint more
    limit = 8 if connection.vendor == "postgresql" else 12
    assert len(many.captured_queries) <= limit


@pytest.mark.django_db
def test_the_sweeper_requeues_stranded_notices_in_batches(gateway, monkeypatch, settings):
    # written in the test's transaction, never committed: their on-commit task never ran
    rows = _notices(5)
    code_rows = []
    from notifications import otp, tasks

    otp.issue_code(phone="+84912345678", purpose="t", ip="10.0.0.1")
    code_rows = list(Notification.objects.filter(event=ev.OTP_CODE))
    queued = []
    real_batch, real_otp = tasks.deliver_batch.apply_async, tasks.deliver_otp.apply_async

    def record(name, real):
        def apply_async(*args, **kwargs):
            queued.append((name, kwargs["args"][0]))
            return real(*args, **kwargs)  # eager: runs here

        return apply_async

    monkeypatch.setattr(tasks.deliver_batch, "apply_async", record("batch", real_batch))
    monkeypatch.setattr(tasks.deliver_otp, "apply_async", record("otp", real_otp))
    settings.NOTIFICATIONS_MAX_AGE_SECONDS = 3600
    assert services.sweep(older_than_seconds=0) == 6
    assert queued == [("otp", code_rows[0].pk), ("batch", [r.pk for r in rows])]
    assert set(_statuses(rows + code_rows).values()) == {Status.SENT}
    assert len({r["peer"] for r in gateway.received if r["json"]["to"] != "+84912345678"}) == 1
    assert services.sweep(older_than_seconds=0) == 0


@pytest.mark.django_db
def test_the_sweeper_fails_expired_notices_in_one_go(gateway, settings):
    rows = _notices(3)
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=Notification.objects.get(pk=rows[0].pk).created_at - timedelta(days=2)
    )
    with CaptureQueriesContext(connection) as queries:
        assert services.sweep(older_than_seconds=0) == 0
    assert set(_statuses(rows).values()) == {Status.TECHNICAL_FAILURE}
    assert len(queries.captured_queries) <= 5
    assert gateway.received == []
