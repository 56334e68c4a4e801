"""Django's password validators, with every message in Vietnamese.

Django's own Vietnamese catalogue misses some of these messages (e.g. "too short"), so each known
validator error code gets its message here; unknown codes keep the validator's own text.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _message(error: ValidationError) -> str:
    code = error.code
    params = error.params or {}
    if code == "password_too_short":
        n = params.get("min_length", 8)
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(n)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(n)d ký tự.",
            n,
        ) % {"n": n}
    if code == "password_too_similar":
        return _("Mật khẩu quá giống thông tin cá nhân của bạn (họ tên, số định danh, email).")
    if code == "password_too_common":
        return _("Mật khẩu này quá phổ biến, dễ bị đoán.")
    if code == "password_entirely_numeric":
        return _("Mật khẩu không được chỉ gồm chữ số.")
    return " ".join(error.messages)


def validate_new_password(password: str, user=None) -> None:
    """Run AUTH_PASSWORD_VALIDATORS; raise ValidationError with Vietnamese messages."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError(
            [ValidationError(_message(e), code=e.code) for e in exc.error_list]
        ) from None
