"""Account changes made through one-time codes: phone verification and password reset by SMS."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import otp
from notifications.masking import normalise_phone
from portal.core.errors import DomainError

log = logging.getLogger("notifications.accounts")

INVALID_CODE = _("Mã xác thực không đúng hoặc đã hết hạn.")


def verify_phone_purpose(user) -> str:
    return f"verify_phone:{user.pk}"


def reset_purpose(user_pk) -> str:
    return f"password_reset:{user_pk}"


def start_phone_verification(*, user, phone: str, ip: str) -> str:
    number = normalise_phone(phone)
    if not number:
        raise DomainError(_("Số điện thoại không hợp lệ."), code="invalid_phone")
    otp.issue_code(phone=number, purpose=verify_phone_purpose(user), ip=ip)
    return number


@transaction.atomic
def confirm_phone(*, user, phone: str, code: str):
    number = normalise_phone(phone)
    if not otp.verify_code(phone=number, purpose=verify_phone_purpose(user), code=code):
        raise DomainError(INVALID_CODE, code="invalid_code")
    User = get_user_model()
    locked = User.objects.select_for_update().get(pk=user.pk)
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
    user, number = _find_account(personal_id, phone)
    if user is None:
        otp.count_request(phone=number, ip=ip)
        return
    otp.issue_code(phone=number, purpose=reset_purpose(user.pk), ip=ip)


@transaction.atomic
def reset_password(*, personal_id: str, phone: str, code: str, new_password: str):
    user, number = _find_account(personal_id, phone)
    if user is None or not otp.verify_code(phone=number, purpose=reset_purpose(user.pk), code=code):
        raise DomainError(INVALID_CODE, code="invalid_code")
    validate_password(new_password, user=user)  # raises django ValidationError
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    locked.set_password(new_password)
    locked.save(update_fields=["password"])
    log.info("user %s reset the password by SMS code", user.pk)
    return locked
