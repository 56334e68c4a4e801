"""Fixtures for payments: a level-4 dossier (đăng ký tạm trú, online fee 7,000 đ) waiting for
payment, and helpers that sign like VNPay (computed here with hmac, independently of the code)."""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.dossiers import services
from tests.dossiers.conftest import *  # noqa: F403 - areas, units, staff, citizens, procedures
from tests.dossiers.conftest import (  # noqa: F401
    _fast_password_hashing,
    valid_temporary_registration_form,
)

IPN_URL = "/api/v1/payments/vnpay/ipn/"


def vnpay_sign(secret: str, params: dict) -> str:
    """VNPay 2.1.0, written out from the specification: sorted names, quote_plus values, &."""
    data = "&".join(
        f"{k}={urllib.parse.quote_plus(str(v))}"
        for k, v in sorted(params.items())
        if k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


@pytest.fixture
def awaiting(citizen, procedure_level4, area, unit, pdf_bytes):
    """A dossier waiting for its online fee (7,000 đ)."""

    def _make():
        dossier = services.create_draft(
            citizen=citizen,
            procedure=procedure_level4,
            area=area,
            form_data=valid_temporary_registration_form(),
        )
        services.add_attachment(
            dossier=dossier,
            actor=citizen,
            uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes),
            requirement_key="to-khai",
        )
        return services.submit(dossier=dossier, actor=citizen)

    return _make


@pytest.fixture
def ipn_params(settings):
    """ipn_params(payment, **overrides) → a signed IPN query for `payment` (success by default)."""

    def _make(payment, *, secret=None, sign=True, **overrides):
        params = {
            "vnp_TmnCode": settings.SANDBOX_TMN_CODE,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": "VNP14226112",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": f"Thanh toan le phi ho so {payment.dossier.code}",
            "vnp_PayDate": "20261201103000",
            "vnp_ResponseCode": "00",
            "vnp_TransactionNo": "14226112",
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": payment.txn_ref,
        }
        params.update(overrides)
        if sign:
            params["vnp_SecureHash"] = vnpay_sign(secret or settings.SANDBOX_HASH_SECRET, params)
        return params

    return _make
