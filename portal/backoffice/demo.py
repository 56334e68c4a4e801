"""Demo support for the back office, called by `seed_demo` (owned by accounts):

    from portal.backoffice.demo import seed_backoffice_demo
    self.stdout.write(seed_backoffice_demo(usernames=[r.login for r in staff]))

Idempotent. Gives each demo officer a TOTP device with the FIXED demo key (RFC 6238 test secret,
public on purpose) and returns the text telling how to log in with the second factor.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from portal.accounts.models import User

from .otp import DEMO_TOTP_KEY_BASE32, demo_code, ensure_demo_totp_device


@transaction.atomic
def seed_backoffice_demo(*, usernames: Iterable[str]) -> str:
    users = User.objects.filter(username__in=list(usernames), kind=User.Kind.STAFF)
    count = 0
    for user in users:
        ensure_demo_totp_device(user)
        count += 1
    return (
        f"Xác thực hai lớp cho {count} cán bộ demo (/admin/): mật khẩu + mã 6 số.\n"
        f"  Mã hiện tại: {demo_code()} (đổi mỗi 30 giây; in lại bằng `python manage.py demo_totp`).\n"
        f"  Hoặc thêm khóa demo {DEMO_TOTP_KEY_BASE32} vào ứng dụng xác thực (Google "
        f"Authenticator, FreeOTP…). Khóa này công khai: CHỈ dùng cho demo."
    )
