"""Postal provider interface and the development simulator.

A provider issues a tracking number when staff hand a result to the post and later reports
tracking events to `POST /api/v1/postal/events/`, signed with HMAC-SHA256 over the raw body with
`POSTAL_WEBHOOK_SECRET` (header `X-Postal-Signature: sha256=<hex>`). `POSTAL_PROVIDER` names the
provider class (dotted path); the simulator is the default for development and tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.postal.models import STATE_RANK, Shipment, ShipmentState

SIGNATURE_HEADER = "X-Postal-Signature"
WEBHOOK_PATH = "/api/v1/postal/events/"


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.POSTAL_WEBHOOK_SECRET).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, signature: str | None) -> bool:
    if not signature or not settings.POSTAL_WEBHOOK_SECRET:
        return False
    return hmac.compare_digest(sign(body), signature.strip())


class PostalProvider:
    """What the portal needs from a postal operator."""

    name = "provider"

    def create_shipment(self, *, dossier, address: str) -> str:
        """Register the parcel with the operator and return its tracking number."""
        raise NotImplementedError


@dataclass
class Delivery:
    status: int
    body: bytes


Sender = Callable[[bytes, dict[str, str]], Delivery]


def http_sender(base_url: str | None = None) -> Sender:
    """Post to the portal's webhook over HTTP (what a real operator does)."""
    url = (base_url or settings.PUBLIC_BASE_URL).rstrip("/") + WEBHOOK_PATH

    def send(body: bytes, headers: dict[str, str]) -> Delivery:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return Delivery(response.status, response.read())
        except urllib.error.HTTPError as exc:
            return Delivery(exc.code, exc.read())

    return send


def in_process_sender() -> Sender:
    """Hand the signed body to the webhook's own service (same checks, no HTTP)."""

    def send(body: bytes, headers: dict[str, str]) -> Delivery:
        from portal.core.errors import DomainError
        from portal.postal import services

        try:
            result = services.receive_webhook(body=body, signature=headers.get(SIGNATURE_HEADER))
        except DomainError as exc:
            payload = {"code": exc.code, "message": exc.message}
            return Delivery(exc.status, json.dumps(payload, ensure_ascii=False).encode())
        return Delivery(200, json.dumps(result, ensure_ascii=False).encode())

    return send


NEXT_STATE = {
    ShipmentState.ACCEPTED: ShipmentState.IN_TRANSIT,
    ShipmentState.IN_TRANSIT: ShipmentState.DELIVERED,
}

DESCRIPTIONS = {
    ShipmentState.ACCEPTED: "Bưu cục đã nhận bưu gửi",
    ShipmentState.IN_TRANSIT: "Bưu gửi đang được vận chuyển",
    ShipmentState.DELIVERED: "Đã phát thành công cho người nhận",
    ShipmentState.RETURNED: "Không phát được, chuyển hoàn về cơ quan gửi",
}


class SimulatorProvider(PostalProvider):
    """Plays the post office in development: issues tracking numbers and sends signed events."""

    name = "simulator"

    def create_shipment(self, *, dossier, address: str) -> str:
        return f"SM{secrets.randbelow(10**9):09d}VN"

    def event_body(
        self, shipment: Shipment, *, state: str, occurred_at=None, event_id: str | None = None
    ) -> bytes:
        occurred_at = occurred_at or timezone.now()
        payload = {
            "event_id": event_id or secrets.token_hex(12),
            "tracking_number": shipment.tracking_number,
            "state": str(state),
            "occurred_at": occurred_at.isoformat(),
            "description": DESCRIPTIONS.get(state, ""),
            "location": "Bưu cục mô phỏng",
        }
        return json.dumps(payload, ensure_ascii=False).encode()

    def send_event(
        self,
        shipment: Shipment,
        *,
        state: str,
        send: Sender | None = None,
        occurred_at=None,
        event_id: str | None = None,
    ) -> Delivery:
        body = self.event_body(shipment, state=state, occurred_at=occurred_at, event_id=event_id)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)}
        return (send or http_sender())(body, headers)

    def advance(
        self, shipment: Shipment, *, to: str | None = None, send: Sender | None = None
    ) -> Delivery | None:
        """Send the next event (accepted → in transit → delivered), or `to` if given; None when
        the shipment is already final."""
        target = to or NEXT_STATE.get(shipment.state)
        if target is None or STATE_RANK.get(shipment.state, 0) > STATE_RANK[target]:
            return None
        return self.send_event(shipment, state=target, send=send)


def get_provider() -> PostalProvider:
    return import_string(settings.POSTAL_PROVIDER)()
