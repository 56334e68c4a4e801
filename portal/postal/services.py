"""Postal return: hand a result to the post, apply the operator's tracking events."""

from __future__ import annotations

import datetime as dt
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from portal.core.errors import Conflict, DomainError, NotFound
from portal.core.text import nfc
from portal.postal.models import FINAL_STATES, STATE_RANK, Shipment, ShipmentEvent, ShipmentState
from portal.postal.providers import get_provider, signature_valid

RESULT_POSTED = "result_posted"
RESULT_DELIVERED = "result_delivered"
RESULT_POST_RETURNED = "result_post_returned"

# An event dated further ahead than this is refused (the operator's clock is wrong).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class SignatureError(DomainError):
    code = "invalid_signature"
    status = 401


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _notify(event: str, shipment: Shipment, **context) -> None:
    from portal.dossiers.services import notify_event

    notify_event(
        event,
        dossier=shipment.dossier,
        context={"tracking_number": shipment.tracking_number, **context},
    )


@transaction.atomic
def dispatch(*, dossier, actor, address: str, fee: int) -> Shipment:
    """Staff hand the result to the post (inside the return step's transaction): the provider
    issues the tracking number, the shipment starts as accepted, the citizen is told."""
    tracking = get_provider().create_shipment(dossier=dossier, address=address)
    now = timezone.now()
    shipment = Shipment.objects.create(
        dossier=dossier,
        provider=get_provider().name,
        tracking_number=tracking,
        state=ShipmentState.ACCEPTED,
        address=nfc(address),
        fee=fee,
        created_at=now,
        created_by=actor,
        last_event_at=now,
    )
    ShipmentEvent.objects.create(
        shipment=shipment,
        event_id=f"portal-{shipment.pk}",
        state=ShipmentState.ACCEPTED,
        occurred_at=now,
        description=_("Cơ quan đã giao kết quả cho bưu điện"),
    )
    _notify(RESULT_POSTED, shipment, postal_address=shipment.address)
    return shipment


def _parse(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DomainError(_("Dữ liệu sự kiện không đọc được."), code="invalid") from None
    if not isinstance(data, dict):
        raise DomainError(_("Dữ liệu sự kiện không đọc được."), code="invalid")
    errors: dict[str, list[str]] = {}
    for name in ("event_id", "tracking_number", "state", "occurred_at"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            errors[name] = [_("Thiếu hoặc sai trường này.")]
    if not errors:
        if data["state"] not in ShipmentState.values:
            errors["state"] = [_("Trạng thái bưu gửi không hợp lệ.")]
        occurred = parse_datetime(data["occurred_at"]) if len(data["occurred_at"]) < 40 else None
        if occurred is None or occurred.tzinfo is None:
            errors["occurred_at"] = [_("Thời điểm phải theo ISO 8601, có múi giờ.")]
        else:
            data["occurred_at"] = occurred
        if len(data["event_id"]) > 64 or len(data["tracking_number"]) > 40:
            errors["event_id"] = [_("Mã sự kiện hoặc số hiệu bưu gửi quá dài.")]
    if errors:
        raise DomainError(_("Dữ liệu sự kiện không hợp lệ."), code="invalid", details=errors)
    return data


def receive_webhook(*, body: bytes, signature: str | None) -> dict:
    """The operator's signed event: verified, then applied (see `apply_event`)."""
    if not signature_valid(body, signature):
        raise SignatureError(_("Chữ ký sự kiện bưu chính không hợp lệ."))
    data = _parse(body)
    return apply_event(
        tracking_number=data["tracking_number"].strip(),
        event_id=data["event_id"].strip(),
        state=data["state"],
        occurred_at=data["occurred_at"],
        description=str(data.get("description") or "")[:300],
        location=str(data.get("location") or "")[:200],
    )


@transaction.atomic
def apply_event(
    *,
    tracking_number: str,
    event_id: str,
    state: str,
    occurred_at: dt.datetime,
    description: str = "",
    location: str = "",
) -> dict:
    """Apply one tracking event, forward only. The same event again is acknowledged without
    effect; an event older than the last applied one, a state going backwards or anything after
    a final state (delivered / returned) is refused with 409 `out_of_order`."""
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("dossier", "dossier__procedure", "dossier__unit", "dossier__citizen")
        .filter(tracking_number=tracking_number)
        .first()
    )
    if shipment is None:
        raise NotFound(_("Không có bưu gửi với số hiệu này."), code="unknown_shipment")
    if shipment.events.filter(event_id=event_id).exists():
        return {"tracking_number": tracking_number, "state": shipment.state, "applied": False}
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise DomainError(
            _("Thời điểm sự kiện ở tương lai."),
            code="invalid",
            details={"occurred_at": [_("Thời điểm sự kiện ở tương lai.")]},
        )
    backwards = STATE_RANK[state] < STATE_RANK[shipment.state]
    older = shipment.last_event_at is not None and occurred_at < shipment.last_event_at
    if shipment.state in FINAL_STATES or backwards or older:
        raise Conflict(
            _("Sự kiện không theo thứ tự: bưu gửi đang ở trạng thái “%(state)s” (%(at)s).")
            % {
                "state": shipment.get_state_display(),
                "at": _fmt(shipment.last_event_at) if shipment.last_event_at else "—",
            },
            code="out_of_order",
        )
    try:
        with transaction.atomic():
            ShipmentEvent.objects.create(
                shipment=shipment,
                event_id=event_id,
                state=state,
                occurred_at=occurred_at,
                description=nfc(description),
                location=nfc(location),
            )
    except IntegrityError:  # the same event raced in: already applied
        return {"tracking_number": tracking_number, "state": shipment.state, "applied": False}
    previous = shipment.state
    shipment.state = state
    shipment.last_event_at = occurred_at
    shipment.save(update_fields=["state", "last_event_at"])
    if previous != state and state == ShipmentState.DELIVERED:
        _notify(RESULT_DELIVERED, shipment, delivered_at=_fmt(occurred_at))
    elif previous != state and state == ShipmentState.RETURNED:
        _notify(RESULT_POST_RETURNED, shipment, returned_at=_fmt(occurred_at))
    return {"tracking_number": tracking_number, "state": state, "applied": True}
