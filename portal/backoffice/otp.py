"""Second factor (TOTP, django-otp) and lockout (django-axes) for the staff admin.

- The admin site becomes `BackofficeAdminSite` (an `OTPAdminSite`): staff log in with username,
  password and the 6-digit code of their authenticator app; a session is admitted only when
  verified by a TOTP device (settings.BACKOFFICE_OTP_REQUIRED, default on).
- After AXES_FAILURE_LIMIT failed logins for a username from one address (or more from many
  addresses, see portal.accounts.lockout), the admin login answers "locked" (HTTP 429) until
  AXES_COOLOFF_TIME passes. Failures are recorded by django-axes from Django's `user_login_failed`
  signal, on this login, the site login page and the API token endpoint alike.
- Demo: `ensure_demo_totp_device(user)` gives a demo officer a TOTP device with the FIXED,
  documented key `DEMO_TOTP_KEY_BASE32` (never use it outside the demo); `manage.py demo_totp`
  prints the current code.
"""

from __future__ import annotations

import base64
import time

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# RFC 6238's published test secret ("12345678901234567890"): public on purpose, demo only.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_KEY_BASE32 = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()
DEMO_DEVICE_NAME = "demo"


def otp_required() -> bool:
    return bool(getattr(settings, "BACKOFFICE_OTP_REQUIRED", True))


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Mã xác thực (6 chữ số từ ứng dụng xác thực)"),
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8}
        ),
    )
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Vui lòng nhập mã xác thực 6 chữ số."),
        "invalid_token": _("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng thử lại."),
        "n_failed_attempts": _("Nhập sai mã xác thực quá nhiều lần, vui lòng chờ rồi thử lại."),
        "verification_not_allowed": _("Chưa thể xác thực lúc này, vui lòng thử lại."),
        "device_required": _("Tài khoản chưa được cấp thiết bị xác thực. Liên hệ quản trị."),
    }

    def _chosen_device(self, user):
        """Without an explicit choice, the user's (first) confirmed TOTP device: staff have one."""
        device = super()._chosen_device(user)
        if device is None:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        return device


class BackofficeAdminSite(OTPAdminSite):
    site_header = _("Cổng dịch vụ công – Xử lý hồ sơ")
    site_title = _("Xử lý hồ sơ")
    index_title = _("Bàn làm việc của cán bộ")
    # No navigation column beside every page: it took 300 px from the lists at 1280 px and repeats
    # the index (one click away through the breadcrumbs).
    enable_nav_sidebar = False

    @property
    def login_form(self):
        return StaffOTPAuthenticationForm if otp_required() else AdminAuthenticationForm

    @property
    def login_template(self):
        return "admin/backoffice_login.html"

    def has_permission(self, request):
        if otp_required():
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)

    def login(self, request, extra_context=None):
        if request.method == "POST" and is_locked_out(request, request.POST.get("username", "")):
            return TemplateResponse(
                request,
                "admin/backoffice_locked.html",
                {
                    **self.each_context(request),
                    "title": _("Tạm khóa đăng nhập"),
                    "cooloff_minutes": _cooloff_minutes(),
                },
                status=429,
            )
        context = {"otp_required": otp_required(), **(extra_context or {})}
        return super().login(request, context)


def _cooloff_minutes() -> int:
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cooloff is None:
        return 0
    if hasattr(cooloff, "total_seconds"):
        return int(cooloff.total_seconds() // 60)
    return int(float(cooloff) * 60)


def is_locked_out(request, username: str) -> bool:
    """The lockout shared with the site login and the API token (portal.accounts.lockout)."""
    from portal.accounts.lockout import lockout_seconds

    return bool(lockout_seconds(request, username))


def install() -> None:
    """Make the default admin site require the second factor (called from admin.py)."""
    admin.site.__class__ = BackofficeAdminSite


# ----------------------------------------------------------------------------------------------
# Devices


def ensure_totp_device(user, *, key_hex: str | None = None, name: str = "default") -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, name=name).first()
    if device is None:
        device = TOTPDevice(user=user, name=name, confirmed=True)
        if key_hex:
            device.key = key_hex
        device.save()
    elif key_hex and device.key != key_hex:
        device.key = key_hex
        device.save(update_fields=["key"])
    return device


def ensure_demo_totp_device(user) -> TOTPDevice:
    """For seed_demo: the demo officer's device with the fixed, documented demo key."""
    return ensure_totp_device(user, key_hex=DEMO_TOTP_KEY_HEX, name=DEMO_DEVICE_NAME)


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def demo_code(at: float | None = None) -> str:
    """The current code for every demo officer (same fixed key)."""
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX), 30, 0, 6, 0)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def verify_session_for_tests(client, user) -> None:
    """Mark a test client's session as verified by the user's TOTP device."""
    device = ensure_totp_device(user, name="test")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
