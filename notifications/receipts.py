"""The delivery-receipt webhook: HMAC-SHA256 over the raw body, current or previous secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import services
from portal.core.errors import DomainError

log = logging.getLogger("notifications.receipts")

SIGNATURE_HEADER = "X-Signature"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, signature: str) -> bool:
    secrets = [s for s in settings.SMS_RECEIPT_SECRETS if s]
    return bool(signature) and any(
        hmac.compare_digest(sign(body, secret), signature) for secret in secrets
    )


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@csrf_exempt
@require_POST
def sms_receipt(request):
    """Body: {"id": receipt id, "reference": our or the provider's reference, "status": ...,
    "timestamp": ISO 8601}. Answers 200 for a new or duplicate receipt, 403 for a bad signature."""
    body = request.body
    if not signature_ok(body, request.headers.get(SIGNATURE_HEADER, "")):
        log.warning(
            "delivery receipt refused: bad signature from %s", request.META.get("REMOTE_ADDR")
        )
        return _error("bad_signature", _("Chữ ký không hợp lệ."), 403)
    try:
        data = json.loads(body)
        receipt_id = str(data["id"])[:100]
        reference = str(data["reference"])[:100]
        status = str(data["status"])
        occurred_at = parse_datetime(str(data.get("timestamp") or "")) or None
    except (ValueError, KeyError, TypeError):
        return _error("invalid", _("Dữ liệu không hợp lệ."), 400)
    try:
        result = services.record_receipt(
            provider=settings.SMS_BACKEND,
            receipt_id=receipt_id,
            reference=reference,
            status=status,
            occurred_at=occurred_at,
        )
    except DomainError as exc:
        return _error(exc.code, exc.message, exc.status)
    return JsonResponse(
        {"duplicate": result.duplicate, "applied": result.applied, "matched": result.matched}
    )
