"""`manage.py check`: the configured payment provider can really take payments."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


def check_payment_provider(app_configs=None, **kwargs) -> list:
    name = getattr(settings, "PAYMENT_PROVIDER", "")
    if name not in ("", "sandbox", "vnpay"):
        return [
            checks.Error(
                f"PAYMENT_PROVIDER={name!r} không được hỗ trợ.",
                hint="Dùng 'vnpay' (cổng thật) hoặc 'sandbox' (chạy thử).",
                id="payments.E001",
            )
        ]
    if name == "vnpay" and not (
        settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET and settings.VNPAY_PAYMENT_URL
    ):
        return [
            checks.Error(
                "PAYMENT_PROVIDER=vnpay cần VNPAY_TMN_CODE, VNPAY_HASH_SECRET, VNPAY_PAYMENT_URL.",
                id="payments.E002",
            )
        ]
    if name == "sandbox" and not settings.DEBUG:
        return [
            checks.Warning(
                "Đang dùng cổng thanh toán thử nghiệm (sandbox) khi DEBUG=false: không thu tiền thật.",
                hint="Đặt PAYMENT_PROVIDER=vnpay và các biến VNPAY_* khi vận hành thật.",
                id="payments.W001",
            )
        ]
    return []
