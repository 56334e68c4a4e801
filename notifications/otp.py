"""One-time codes by SMS: hashed, expiring, rate-limited per number and per IP, never logged in clear."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from notifications import events as ev
from notifications.masking import mask_phone, normalise_phone
from notifications.models import OneTimeCode
from portal.core import ratelimit
from portal.core.errors import DomainError

log = logging.getLogger("notifications.otp")

PURPOSE_LABELS = {
    "verify_phone": "xac minh so dien thoai",
    "password_reset": "dat lai mat khau",
}


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


class InvalidCode(DomainError):
    code = "invalid_code"
    status = 400


def _hash(phone: str, purpose: str, code: str) -> str:
    return salted_hmac(
        "notifications.otp", f"{phone}|{purpose}|{code}", algorithm="sha256"
    ).hexdigest()


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one hit in a fixed window; False when the limit is exceeded. The shared counter of
    portal.core.ratelimit: it falls back to the database when the cache (Redis) is down, and
    raises RateLimitUnavailable (a DomainError, 503) only if that fails too."""
    return ratelimit.hit(key, limit=limit, window=window)


def count_request(*, phone: str, ip: str) -> None:
    """Count one code request against the per-IP and per-number limits; raise RateLimited."""
    number = normalise_phone(phone)
    window = settings.NOTIFICATIONS_OTP_RATE_WINDOW_SECONDS
    ip_ok = _hit(f"otp:ip:{ip}", settings.NOTIFICATIONS_OTP_PER_IP, window)
    phone_ok = not number or _hit(
        f"otp:phone:{number}", settings.NOTIFICATIONS_OTP_PER_PHONE, window
    )
    if not (ip_ok and phone_ok):
        log.warning("one-time code refused (rate limit) for %s from %s", mask_phone(number), ip)
        raise RateLimited(_("Bạn đã yêu cầu mã quá nhiều lần. Vui lòng thử lại sau ít phút."))


def issue_code(*, phone: str, purpose: str, ip: str) -> OneTimeCode | None:
    """Send a fresh code to `phone`. Raises RateLimited when the number or the IP asked too often.
    Returns None (and sends nothing) for an invalid number. Earlier codes for the purpose stop working."""
    number = normalise_phone(phone)
    count_request(phone=number, ip=ip)
    if not number:
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.NOTIFICATIONS_OTP_TTL_SECONDS // 60
    from notifications.services import notify

    with transaction.atomic():
        OneTimeCode.objects.filter(phone=number, purpose=purpose, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        otp = OneTimeCode.objects.create(
            phone=number,
            purpose=purpose,
            code_hash=_hash(number, purpose, code),
            expires_at=timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_OTP_TTL_SECONDS),
        )
        notify(
            event=ev.OTP_CODE,
            phone=number,
            context={
                "code": code,
                "minutes": minutes,
                "purpose_label": PURPOSE_LABELS.get(purpose.split(":")[0], ""),
            },
            channels=("sms",),
        )
    log.info("one-time code issued for %s (%s)", mask_phone(number), purpose)
    return otp


def verify_code(*, phone: str, purpose: str, code: str) -> bool:
    """True once for the right, unexpired, unused code; wrong codes count towards a lock-out."""
    number = normalise_phone(phone)
    code = (code or "").strip()
    if not number or not code.isdigit():
        return False
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=number, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.expires_at <= timezone.now():
            return False
        if otp.failed_attempts >= settings.NOTIFICATIONS_OTP_MAX_TRIES:
            return False
        if not constant_time_compare(otp.code_hash, _hash(number, purpose, code)):
            OneTimeCode.objects.filter(pk=otp.pk).update(failed_attempts=otp.failed_attempts + 1)
            log.info("wrong one-time code for %s (%s)", mask_phone(number), purpose)
            return False
        OneTimeCode.objects.filter(pk=otp.pk).update(used_at=timezone.now())
    log.info("one-time code verified for %s (%s)", mask_phone(number), purpose)
    return True
