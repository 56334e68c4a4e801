"""Account changes made through one-time codes: phone verification and password reset by SMS.

Entering a code is rate-limited per account (personal number) and per client address
(`otp.count_check`); a wrong code is counted in its own committed step (`otp.check_code`) before
the change's transaction starts, so a refused attempt is never rolled back; the code is used up in
the same transaction as the change it allows.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import otp
from notifications.masking import normalise_phone
from portal.accounts.passwords import validate_new_password
from portal.accounts.validators import normalize_personal_id
from portal.core.errors import DomainError

log = logging.getLogger("notifications.accounts")

INVALID_CODE = gettext_lazy("Mã xác thực không đúng hoặc đã hết hạn.")
DEAD_CODE = gettext_lazy(
    "Bạn đã nhập sai mã quá nhiều lần nên mã này không còn dùng được. Vui lòng yêu cầu mã mới."
)


def verify_phone_purpose(user) -> str:
    return f"verify_phone:{user.pk}"


def reset_purpose(user_pk) -> str:
    return f"password_reset:{user_pk}"


def _invalid_code() -> DomainError:
    return otp.InvalidCode(str(INVALID_CODE))


def _dead_code() -> DomainError:
    return otp.CodeExhausted(str(DEAD_CODE))


def _checked(*, number: str, purpose: str, code: str) -> int:
    """The id of the live code `code` matches; raise InvalidCode / CodeExhausted otherwise."""
    result = otp.check_code(phone=number, purpose=purpose, code=code)
    if result.status is otp.Check.DEAD:
        raise _dead_code()
    if not result.ok:
        raise _invalid_code()
    return result.code_id


def start_phone_verification(*, user, phone: str, ip: str) -> str:
    number = normalise_phone(phone)
    if not number:
        raise DomainError(_("Số điện thoại không hợp lệ."), code="invalid_phone")
    otp.issue_code(phone=number, purpose=verify_phone_purpose(user), ip=ip)
    return number


def confirm_phone(*, user, phone: str, code: str, ip: str):
    """Mark `phone` as the user's verified number if `code` is the one sent to it."""
    otp.count_check(account=user.personal_id or f"user:{user.pk}", ip=ip)
    number = normalise_phone(phone)
    code_id = _checked(number=number, purpose=verify_phone_purpose(user), code=code)
    return _set_verified_phone(user=user, number=number, code_id=code_id)


@transaction.atomic
def _set_verified_phone(*, user, number: str, code_id: int):
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not otp.use_code(code_id=code_id):
        raise _invalid_code()
    locked.phone = number
    locked.phone_verified_at = timezone.now()
    locked.save(update_fields=["phone", "phone_verified_at"])
    log.info("user %s verified a phone number", user.pk)
    return locked


def _find_account(personal_id: str, phone: str):
    number = normalise_phone(phone)
    if not number or not personal_id:
        return None, number
    User = get_user_model()
    user = User.objects.filter(personal_id=personal_id.strip(), is_active=True).first()
    if user is None or normalise_phone(user.phone) != number:
        return None, number
    return user, number


def start_password_reset(*, personal_id: str, phone: str, ip: str) -> None:
    """Send a code if the personal id and phone belong to one account. Says nothing either way;
    the rate limits count in both cases."""
    user, number = _find_account(normalize_personal_id(personal_id), phone)
    if user is None:
        otp.count_request(phone=number, ip=ip)
        return
    otp.issue_code(phone=number, purpose=reset_purpose(user.pk), ip=ip)


def reset_password(*, personal_id: str, phone: str, code: str, new_password: str, ip: str):
    """Set a new password with the code sent by `start_password_reset`.

    Raises RateLimited (too many entries for this number or from this address), InvalidCode,
    CodeExhausted (OTP_MAX_TRIES wrong entries: even the right code is refused now) or Django's
    ValidationError for a weak password (the code then stays usable). The answers do not tell
    whether the account exists. Changing the password revokes the account's API tokens and other
    sessions (portal.accounts.credentials)."""
    personal_id = normalize_personal_id(personal_id)[:20]
    otp.count_check(account=personal_id or "-", ip=ip)
    user, number = _find_account(personal_id, phone)
    result = (
        otp.check_code(phone=number, purpose=reset_purpose(user.pk), code=code)
        if user is not None
        else otp.CheckResult(otp.Check.NONE)
    )
    if result.status is otp.Check.NONE:
        # No live code (or no such account): die after as many tries as a real code would, so
        # that the answers do not reveal which numbers have an account.
        tries = settings.NOTIFICATIONS_OTP_MAX_TRIES
        if not otp._hit(f"otp:nocode:{personal_id}:{number}", tries - 1, _ttl()):
            raise _dead_code()
        raise _invalid_code()
    if result.status is otp.Check.DEAD:
        raise _dead_code()
    if not result.ok:
        raise _invalid_code()
    return _set_password(user=user, code_id=result.code_id, new_password=new_password)


def _ttl() -> int:
    return settings.NOTIFICATIONS_OTP_TTL_SECONDS


@transaction.atomic
def _set_password(*, user, code_id: int, new_password: str):
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    validate_new_password(new_password, locked)  # raises ValidationError (Vietnamese messages)
    if not otp.use_code(code_id=code_id):
        raise _invalid_code()
    locked.set_password(new_password)
    locked.save(update_fields=["password"])  # revokes tokens and other sessions
    log.info("user %s reset the password by SMS code", user.pk)
    return locked
