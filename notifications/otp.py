"""One-time codes by SMS: hashed, expiring, rate-limited per number and per IP, never logged in clear."""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import F
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
    "complaint": "gui phan anh",
}


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    retry_after: int | None = None  # seconds, for the API's Retry-After


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
        exc = RateLimited(_("Bạn đã yêu cầu mã quá nhiều lần. Vui lòng thử lại sau ít phút."))
        exc.retry_after = window
        raise exc


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


class CodeExhausted(DomainError):
    """Too many wrong entries: the code is dead, even the right one is refused."""

    code = "too_many_attempts"
    status = 429


class Check(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    DEAD = "dead"  # OTP_MAX_TRIES wrong entries: a new code is needed
    NONE = "none"  # no live code (never issued, used, replaced or expired)


@dataclass(frozen=True)
class CheckResult:
    status: Check
    code_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is Check.OK


def count_check(*, account: str, ip: str) -> None:
    """Count one code entry against the per-account and per-IP limits; raise RateLimited."""
    window = settings.NOTIFICATIONS_OTP_RATE_WINDOW_SECONDS
    ip_ok = _hit(f"otp:check:ip:{ip}", settings.NOTIFICATIONS_OTP_CHECKS_PER_IP, window)
    account_ok = _hit(
        f"otp:check:account:{account}", settings.NOTIFICATIONS_OTP_CHECKS_PER_ACCOUNT, window
    )
    if not (ip_ok and account_ok):
        log.warning("code entry refused (rate limit) from %s", ip)
        exc = RateLimited(_("Bạn đã nhập mã quá nhiều lần. Vui lòng thử lại sau ít phút."))
        exc.retry_after = window
        raise exc


def check_code(*, phone: str, purpose: str, code: str) -> CheckResult:
    """Compare `code` with the live code for (phone, purpose) without using it up.

    A wrong entry is counted in its own committed step: outside a transaction here, and through a
    separate database connection (PostgreSQL) when the caller holds a transaction open, so a
    rollback of the caller's work never forgets it. After OTP_MAX_TRIES wrong entries the code is
    dead. Use the code with `use_code(code_id)` in the transaction of the change it allows."""
    number = normalise_phone(phone)
    code = (code or "").strip()
    if not number:
        return CheckResult(Check.NONE)
    if transaction.get_connection().in_atomic_block:
        return _check(number, purpose, code, lock=False)
    with transaction.atomic():  # committed on exit: the row lock serialises concurrent guesses
        return _check(number, purpose, code, lock=True)


def _check(number: str, purpose: str, code: str, *, lock: bool) -> CheckResult:
    rows = OneTimeCode.objects.filter(phone=number, purpose=purpose, used_at__isnull=True)
    otp = (rows.select_for_update() if lock else rows).order_by("-created_at").first()
    if otp is None or otp.expires_at <= timezone.now():
        return CheckResult(Check.NONE)
    limit = settings.NOTIFICATIONS_OTP_MAX_TRIES
    if otp.failed_attempts >= limit:
        return CheckResult(Check.DEAD)
    if code.isdigit() and constant_time_compare(otp.code_hash, _hash(number, purpose, code)):
        return CheckResult(Check.OK, otp.pk)
    failed = _count_failure(otp.pk, separately=not lock)
    log.info("wrong one-time code for %s (%s): %s", mask_phone(number), purpose, failed)
    return CheckResult(Check.DEAD if failed >= limit else Check.WRONG)


def _count_failure(code_id: int, *, separately: bool) -> int:
    if separately and transaction.get_connection().vendor == "postgresql":
        failed = _count_failure_committed(code_id)
        if failed is not None:
            return failed
    # Our own transaction (committed by check_code), or a row the caller created in its still
    # open transaction (it lives and dies with it), or SQLite (development) inside a transaction.
    OneTimeCode.objects.filter(pk=code_id).update(failed_attempts=F("failed_attempts") + 1)
    return OneTimeCode.objects.filter(pk=code_id).values_list("failed_attempts", flat=True)[0]


def _count_failure_committed(code_id: int) -> int | None:
    """+1 wrong entry through a second connection in autocommit: committed now, whatever the
    caller's transaction does. None when that connection cannot see or lock the row."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        quote = side.ops.quote_name
        with side.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            cursor.execute(
                f"UPDATE {quote(OneTimeCode._meta.db_table)} SET failed_attempts = "
                f"failed_attempts + 1 WHERE id = %s RETURNING failed_attempts",
                [code_id],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    except DatabaseError as exc:
        log.warning("wrong code not counted on a separate connection: %s", exc)
        return None
    finally:
        side.close()


def use_code(*, code_id: int) -> bool:
    """Use up a code `check_code` accepted; False if it died, expired or was replaced since."""
    return (
        OneTimeCode.objects.filter(
            pk=code_id,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            failed_attempts__lt=settings.NOTIFICATIONS_OTP_MAX_TRIES,
        ).update(used_at=timezone.now())
        == 1
    )


def verify_code(*, phone: str, purpose: str, code: str) -> bool:
    """True once for the right, unexpired, unused code; wrong codes count towards a lock-out."""
    result = check_code(phone=phone, purpose=purpose, code=code)
    if not (result.ok and use_code(code_id=result.code_id)):
        return False
    log.info("one-time code verified for %s (%s)", mask_phone(normalise_phone(phone)), purpose)
    return True
