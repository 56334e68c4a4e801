"""Delivery receipts: HMAC with rotation, idempotent, duplicates and out-of-order, bad signatures."""

from __future__ import annotations

import json
import logging

import pytest

from notifications import events as ev
from notifications.models import DeliveryReceipt, Status
from notifications.receipts import sign
from notifications.services import advance_status, notify

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/sms-receipts/"


@pytest.fixture
def sent(citizen):
    (row,) = notify(
        event=ev.OTP_CODE,
        phone=citizen.phone,
        context={"code": "123456", "minutes": 5, "purpose_label": "x"},
        channels=("sms",),
    )
    advance_status(notification_id=row.pk, status=Status.SENT, provider_reference="gw-42")
    return row


def post(client, payload, secret="current-secret", signature=None):
    body = json.dumps(payload).encode()
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-Signature": signature or sign(body, secret)},
    )


def test_delivered_receipt_applies_once(client, sent):
    payload = {
        "id": "r1",
        "reference": "gw-42",
        "status": "delivered",
        "timestamp": "2026-06-09T08:00:00+07:00",
    }
    first = post(client, payload)
    assert first.status_code == 200 and first.json() == {
        "duplicate": False,
        "applied": True,
        "matched": True,
    }
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED and sent.delivered_at.isoformat().startswith(
        "2026-06-09T01:00"
    )
    again = post(client, payload)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert DeliveryReceipt.objects.count() == 1


def test_previous_secret_still_accepted_during_rotation(client, sent):
    resp = post(
        client,
        {"id": "r2", "reference": str(sent.reference), "status": "delivered"},
        secret="previous-secret",
    )
    assert resp.status_code == 200
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED


def test_out_of_order_receipt_does_not_move_status_back(client, sent):
    post(client, {"id": "r3", "reference": "gw-42", "status": "delivered"})
    resp = post(client, {"id": "r4", "reference": "gw-42", "status": "sent"})
    assert resp.status_code == 200 and resp.json()["applied"] is False
    post(client, {"id": "r5", "reference": "gw-42", "status": "failed"})
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED
    assert DeliveryReceipt.objects.count() == 3


def test_bad_signature_is_refused_and_logged(client, sent, caplog):
    with caplog.at_level(logging.WARNING, logger="notifications.receipts"):
        resp = post(
            client, {"id": "r6", "reference": "gw-42", "status": "delivered"}, secret="old-leaked"
        )
        missing = client.post(URL, data=b"{}", content_type="application/json")
    assert resp.status_code == 403 and resp.json()["code"] == "bad_signature"
    assert missing.status_code == 403
    assert "bad signature" in caplog.text
    assert not DeliveryReceipt.objects.exists()
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_malformed_receipt_is_400(client, sent):
    resp = post(client, {"reference": "gw-42"})
    assert resp.status_code == 400
    resp = post(client, {"id": "r7", "reference": "gw-42", "status": "whatever"})
    assert resp.status_code == 400


def test_failure_receipt_marks_permanent_failure_and_redacts_code(client, sent):
    sent.refresh_from_db()
    post(client, {"id": "r8", "reference": "gw-42", "status": "failed"})
    sent.refresh_from_db()
    assert sent.status == Status.PERMANENT_FAILURE
    assert "123456" not in sent.body
