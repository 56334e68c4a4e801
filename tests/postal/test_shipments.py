"""Shipments: created when staff hand the result to the post; tracking events signed by the
operator are applied forward only; the citizen is told of dispatch and delivery."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Notification
from portal.accounts.models import Role
from portal.backoffice import services as backoffice
from portal.postal.models import Shipment, ShipmentState
from portal.postal.providers import SIGNATURE_HEADER, SimulatorProvider, sign
from tests.postal.conftest import ADDRESS

pytestmark = pytest.mark.django_db

URL = "/api/v1/postal/events/"


def post_event(client: Client, payload: dict, *, signature: str | None = "valid"):
    body = json.dumps(payload).encode()
    headers = {}
    if signature == "valid":
        headers["HTTP_X_POSTAL_SIGNATURE"] = sign(body)
    elif signature is not None:
        headers["HTTP_X_POSTAL_SIGNATURE"] = signature
    return client.post(URL, body, content_type="application/json", **headers)


def event(shipment, state, *, at, event_id=None) -> dict:
    return {
        "event_id": event_id or f"{state}-{at.timestamp()}",
        "tracking_number": shipment.tracking_number,
        "state": state,
        "occurred_at": at.isoformat(),
        "description": "Bưu cục Thái Nguyên",
    }


@pytest.fixture
def shipped(post_dossier, staff_by_role):
    dossier = post_dossier("approved")
    backoffice.return_result(
        dossier=dossier,
        actor=staff_by_role[Role.RECEIVING_OFFICER],
        method="post",
        postal_address=ADDRESS,
    )
    # Handed to the post two days ago, so the operator's later events are in the past.
    earlier = timezone.now() - dt.timedelta(days=2)
    shipment = Shipment.objects.get(dossier=dossier)
    Shipment.objects.filter(pk=shipment.pk).update(created_at=earlier, last_event_at=earlier)
    shipment.events.update(occurred_at=earlier)
    shipment.refresh_from_db()
    return shipment


def _events(citizen, name):
    return Notification.objects.filter(user=citizen, event=name)


def test_the_return_step_by_post_creates_the_shipment_and_tells_the_citizen(shipped, citizen):
    assert shipped.dossier.state == "result_returned"
    assert shipped.provider == "simulator"
    assert shipped.tracking_number.startswith("SM") and shipped.tracking_number.endswith("VN")
    assert shipped.state == ShipmentState.ACCEPTED
    assert shipped.address == ADDRESS
    assert shipped.fee == 25000  # from the table, frozen at submission, not typed by staff
    assert shipped.events.count() == 1
    posted = _events(citizen, "result_posted")
    assert {n.channel for n in posted} == {"sms", "email"}
    assert shipped.tracking_number in posted.get(channel="sms").body


def test_returning_in_person_creates_no_shipment(make_dossier, staff_by_role):
    dossier = make_dossier("approved")
    backoffice.return_result(
        dossier=dossier,
        actor=staff_by_role[Role.RECEIVING_OFFICER],
        method="in_person",
        collected_by_name="Nguyễn Văn An",
        collected_by_personal_id=dossier.applicant_personal_id,
        originals_compared=True,
    )
    assert not Shipment.objects.exists()


def test_events_are_applied_in_order_and_delivery_is_notified(shipped, citizen):
    client = Client()
    start = shipped.last_event_at
    transit = post_event(client, event(shipped, "in_transit", at=start + dt.timedelta(hours=2)))
    assert transit.status_code == 200
    assert transit.json() == {
        "tracking_number": shipped.tracking_number,
        "state": "in_transit",
        "applied": True,
    }
    assert not _events(citizen, "result_delivered").exists()
    delivered = post_event(client, event(shipped, "delivered", at=start + dt.timedelta(days=1)))
    assert delivered.status_code == 200
    shipped.refresh_from_db()
    assert shipped.state == ShipmentState.DELIVERED
    assert list(shipped.events.values_list("state", flat=True)) == [
        "accepted",
        "in_transit",
        "delivered",
    ]
    assert {n.channel for n in _events(citizen, "result_delivered")} == {"sms", "email"}


def test_out_of_order_events_are_refused_and_change_nothing(shipped, citizen):
    client = Client()
    start = shipped.last_event_at
    assert post_event(client, event(shipped, "in_transit", at=start + dt.timedelta(hours=5)))
    older = post_event(client, event(shipped, "in_transit", at=start + dt.timedelta(hours=1)))
    assert older.status_code == 409
    assert older.json()["code"] == "out_of_order"
    backwards = post_event(client, event(shipped, "accepted", at=start + dt.timedelta(hours=6)))
    assert backwards.status_code == 409
    assert (
        post_event(
            client, event(shipped, "delivered", at=start + dt.timedelta(hours=7))
        ).status_code
        == 200
    )
    after_final = post_event(client, event(shipped, "returned", at=start + dt.timedelta(hours=8)))
    assert after_final.status_code == 409
    shipped.refresh_from_db()
    assert shipped.state == ShipmentState.DELIVERED
    assert shipped.events.count() == 3
    assert not _events(citizen, "result_post_returned").exists()


def test_a_repeated_event_is_acknowledged_once(shipped, citizen):
    client = Client()
    payload = event(shipped, "delivered", at=shipped.last_event_at + dt.timedelta(hours=3))
    assert post_event(client, payload).json()["applied"] is True
    again = post_event(client, payload)
    assert again.status_code == 200
    assert again.json()["applied"] is False
    assert _events(citizen, "result_delivered").filter(channel="sms").count() == 1


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=" + "0" * 64, "not-a-signature"],
    ids=["missing", "empty", "wrong", "garbage"],
)
def test_unsigned_or_badly_signed_events_are_refused(shipped, signature):
    response = post_event(
        Client(),
        event(shipped, "delivered", at=shipped.last_event_at + dt.timedelta(hours=1)),
        signature=signature,
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert response.json()["message"]
    shipped.refresh_from_db()
    assert shipped.state == ShipmentState.ACCEPTED


def test_a_body_changed_after_signing_is_refused(shipped):
    payload = event(shipped, "in_transit", at=shipped.last_event_at + dt.timedelta(hours=1))
    signature = sign(json.dumps(payload).encode())
    payload["state"] = "delivered"
    response = post_event(Client(), payload, signature=signature)
    assert response.status_code == 401
    shipped.refresh_from_db()
    assert shipped.state == ShipmentState.ACCEPTED


def test_no_secret_configured_accepts_nothing(shipped, settings):
    settings.POSTAL_WEBHOOK_SECRET = ""
    payload = event(shipped, "in_transit", at=shipped.last_event_at + dt.timedelta(hours=1))
    body = json.dumps(payload).encode()
    import hashlib
    import hmac

    empty_key = "sha256=" + hmac.new(b"", body, hashlib.sha256).hexdigest()
    response = post_event(Client(), payload, signature=empty_key)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        {"state": "lost"},
        {"occurred_at": "hôm qua"},
        {"occurred_at": "2026-01-01T10:00:00"},  # no time zone
        {"tracking_number": ""},
    ],
)
def test_malformed_events_get_a_400_in_the_error_shape(shipped, change):
    payload = {
        **event(shipped, "in_transit", at=shipped.last_event_at + dt.timedelta(hours=1)),
        **change,
    }
    response = post_event(Client(), payload)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_unknown_tracking_number_is_a_404(shipped):
    payload = {**event(shipped, "in_transit", at=timezone.now()), "tracking_number": "XX1VN"}
    response = post_event(Client(), payload)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_shipment"


def test_an_event_from_the_future_is_refused(shipped):
    payload = event(shipped, "delivered", at=timezone.now() + dt.timedelta(days=2))
    assert post_event(Client(), payload).status_code == 400


def test_returned_to_sender_is_notified(shipped, citizen):
    provider = SimulatorProvider()

    def send(body, headers):
        from portal.postal.providers import Delivery

        response = Client().post(
            URL,
            body,
            content_type="application/json",
            HTTP_X_POSTAL_SIGNATURE=headers[SIGNATURE_HEADER],
        )
        return Delivery(response.status_code, response.content)

    assert provider.advance(shipped, to="returned", send=send).status == 200
    shipped.refresh_from_db()
    assert shipped.state == ShipmentState.RETURNED
    assert _events(citizen, "result_post_returned").exists()
