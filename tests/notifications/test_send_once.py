"""A worker that dies between the gateway's acceptance of an SMS and the commit of the outcome
leaves the notification "sending" with an attempt and no outcome. Such a message is not re-sent
while its claim lease runs, and before it is re-sent the gateway is asked (status lookup by the
idempotency key) whether it already has it: then it is recorded as sent, with no second send.

The crash is simulated here by claiming the row and sending through the backend without recording
anything (exactly what a killed worker leaves behind); tests/notifications/test_worker_killed.py
kills a real worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications import events as ev
from notifications import services
from notifications.models import DeliveryAttempt, Notification, OutboxSms, Status
from notifications.providers import LookupUnavailable
from notifications.providers.sms import HttpGatewayBackend, OutboxBackend, get_backend
from notifications.sms_encoding import UCS2

pytestmark = pytest.mark.django_db

CTX = {
    "dossier_code": "G09.20-20260609-0100",
    "procedure_name": "Đăng ký tạm trú",
    "unit_name": "Công an phường Túc Duyên",
    "collection_method": "Nhận trực tiếp tại trụ sở",
}


def _sms(citizen) -> Notification:
    (row,) = services.notify(event=ev.RESULT_READY, user=citizen, context=CTX, channels=("sms",))
    return row


def _crash_after_the_gateway_accepted(row: Notification) -> None:
    """A worker claims the row, the gateway accepts the SMS, the worker dies before recording."""
    claimed = services.claim(notification_id=row.pk)
    assert claimed is not None
    get_backend().send(
        phone=claimed.recipient,
        text=claimed.body,
        encoding=claimed.sms_encoding,
        reference=str(claimed.reference),
    )


def _lease_expires(row: Notification) -> None:
    Notification.objects.filter(pk=row.pk).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )


def _posts(gateway) -> list[dict]:
    return [r for r in gateway.received if r["status"] < 300]


@pytest.fixture
def status_lookup(gateway, settings):
    settings.SMS_GATEWAY_STATUS_URL = gateway.status_url
    return gateway


def test_no_resend_during_the_lease_and_none_after_when_the_gateway_has_it(citizen, status_lookup):
    gateway = status_lookup
    row = _sms(citizen)
    _crash_after_the_gateway_accepted(row)
    assert len(gateway.received) == 1

    # the task is redelivered at once: the claim lease keeps it from a second send
    assert services.deliver(notification_id=row.pk).status == "skipped"
    assert services.sweep(older_than_seconds=0) == 0
    assert len(gateway.received) == 1

    # lease over: the sweeper re-queues it; the gateway says it has the key → recorded, not re-sent
    _lease_expires(row)
    assert services.sweep(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(gateway.received) == 1, "the gateway received a second send"
    assert gateway.lookups == [str(row.reference)]
    assert row.provider_reference == gateway.received[0]["id"]
    (attempt,) = DeliveryAttempt.objects.filter(notification=row)
    assert attempt.outcome == DeliveryAttempt.Outcome.OK and attempt.number == 2
    assert "status lookup" in attempt.detail


def test_an_attempt_that_never_reached_the_gateway_is_sent_once(citizen, status_lookup):
    gateway = status_lookup
    row = _sms(citizen)
    assert services.claim(notification_id=row.pk) is not None  # worker dies before the POST
    _lease_expires(row)
    assert services.sweep(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert gateway.lookups == [str(row.reference)]
    assert len(_posts(gateway)) == 1


def test_a_first_attempt_asks_nothing(citizen, status_lookup):
    gateway = status_lookup
    row = _sms(citizen)
    assert services.deliver(notification_id=row.pk).status == "sent"
    assert gateway.lookups == [] and len(_posts(gateway)) == 1


def test_a_failing_lookup_falls_back_to_sending_again(citizen, status_lookup):
    """At least once: when the gateway cannot tell, the SMS is re-sent (same idempotency key)."""
    gateway = status_lookup
    gateway.status_script.append(503)
    row = _sms(citizen)
    _crash_after_the_gateway_accepted(row)
    _lease_expires(row)
    assert services.deliver(notification_id=row.pk).status == "sent"
    keys = {r["key"] for r in _posts(gateway)}
    assert len(_posts(gateway)) == 2 and keys == {str(row.reference)}


def test_without_a_status_url_the_backend_cannot_tell(settings, gateway):
    settings.SMS_GATEWAY_STATUS_URL = ""
    with pytest.raises(LookupUnavailable):
        HttpGatewayBackend().lookup(reference="abc")


def test_the_http_lookup_reads_the_gateway_answer(status_lookup):
    gateway = status_lookup
    backend = HttpGatewayBackend()
    assert backend.lookup(reference="never-sent") is None
    backend.send(phone="+84912345678", text="Xin chào", encoding=UCS2, reference="ref-1")
    found = backend.lookup(reference="ref-1")
    assert found is not None and found.provider_reference == gateway.received[0]["id"]
    gateway.status_script.append(500)
    with pytest.raises(LookupUnavailable):
        backend.lookup(reference="ref-1")


def test_the_outbox_answers_from_its_own_records(db):
    backend = OutboxBackend()
    assert backend.lookup(reference="ref-2") is None
    backend.send(phone="+84912345678", text="Xin chào", encoding=UCS2, reference="ref-2")
    assert backend.lookup(reference="ref-2") is not None
    assert OutboxSms.objects.filter(reference="ref-2").count() == 1
