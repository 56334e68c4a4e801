"""Payment providers: the VNPay 2.1.0 adapter and the sandbox that plays VNPay locally.

Interface (every provider):
- create_payment_url(payment, client_ip, return_url) -> str: where the citizen's browser goes.
- verify(params) -> bool: the notification/return parameters carry our valid signature.
- parse(params) -> Notice: what the provider says happened.
- query_status(payment) -> Notice | None: ask the provider (reconciliation); None = no answer.

Chosen by settings.PAYMENT_PROVIDER ("sandbox" or "vnpay").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import urllib.parse
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

logger = logging.getLogger(__name__)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VERSION = "2.1.0"
SUCCESS = "00"
CANCELLED_BY_CUSTOMER = "24"


def vn_time(value: dt.datetime) -> str:
    """yyyyMMddHHmmss in GMT+7, the format of every VNPay date."""
    return value.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def hash_data(params: dict) -> str:
    """Sorted by name, each name=quote_plus(value), joined by & (VNPay 2.1.0)."""
    return "&".join(
        f"{key}={urllib.parse.quote_plus(str(params[key]))}"
        for key in sorted(params)
        if key not in ("vnp_SecureHash", "vnp_SecureHashType") and params[key] not in (None, "")
    )


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


@dataclass(frozen=True)
class Notice:
    txn_ref: str
    tmn_code: str
    amount: int  # đồng (VNPay's amount / 100)
    response_code: str
    transaction_status: str
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: str = ""

    @property
    def succeeded(self) -> bool:
        return self.response_code == SUCCESS and self.transaction_status in (SUCCESS, "")

    @property
    def cancelled(self) -> bool:
        return self.response_code == CANCELLED_BY_CUSTOMER


class VNPayProvider:
    name = "vnpay"

    def __init__(self, *, tmn_code: str, hash_secret: str, payment_url: str, query_url: str):
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.payment_url = payment_url
        self.query_url = query_url

    # --- payment URL -------------------------------------------------------------------
    def payment_params(self, payment, client_ip: str, return_url: str) -> dict:
        created = payment.created_at
        expires = payment.expires_at or created + dt.timedelta(minutes=15)
        dossier = payment.dossier
        postage_only = getattr(dossier, "postal_fee", 0) and not getattr(dossier, "fee_amount", 0)
        what = "cuoc buu chinh" if postage_only else "le phi"
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": f"Thanh toan {what} ho so {dossier.code}",
            "vnp_OrderType": "other",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": vn_time(created),
            "vnp_ExpireDate": vn_time(expires),
            "vnp_Locale": "vn",
        }

    def sign(self, params: dict) -> str:
        return hmac_sha512(self.hash_secret, hash_data(params))

    def signed_query(self, params: dict) -> str:
        return f"{hash_data(params)}&vnp_SecureHash={self.sign(params)}"

    def create_payment_url(self, payment, client_ip: str, return_url: str) -> str:
        params = self.payment_params(payment, client_ip, return_url)
        return f"{self.payment_url}?{self.signed_query(params)}"

    # --- IPN / return ------------------------------------------------------------------
    def verify(self, params: dict) -> bool:
        received = str(params.get("vnp_SecureHash", "")).lower()
        fields = {k: v for k, v in params.items() if k.startswith("vnp_")}
        return bool(received) and hmac.compare_digest(received, self.sign(fields))

    def parse(self, params: dict) -> Notice:
        amount = int(str(params.get("vnp_Amount", "")).strip() or "x") // 100  # ValueError if bad
        return Notice(
            txn_ref=str(params.get("vnp_TxnRef", "")),
            tmn_code=str(params.get("vnp_TmnCode", "")),
            amount=amount,
            response_code=str(params.get("vnp_ResponseCode", "")),
            transaction_status=str(params.get("vnp_TransactionStatus", "")),
            transaction_no=str(params.get("vnp_TransactionNo", ""))[:40],
            bank_code=str(params.get("vnp_BankCode", ""))[:20],
            pay_date=str(params.get("vnp_PayDate", ""))[:14],
        )

    # --- querydr (reconciliation) ------------------------------------------------------
    def querydr_request(self, payment, *, request_id: str | None = None, now=None) -> dict:
        """VNPay querydr 2.1.0: checksum = HMAC-SHA512 over the '|'-joined values
        RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo."""
        now = now or dt.datetime.now(dt.UTC)
        body = {
            "vnp_RequestId": request_id or secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": f"Doi soat giao dich {payment.txn_ref}",
            "vnp_TransactionDate": vn_time(payment.created_at),
            "vnp_CreateDate": vn_time(now),
            "vnp_IpAddr": "127.0.0.1",
        }
        data = "|".join(
            body[k]
            for k in (
                "vnp_RequestId",
                "vnp_Version",
                "vnp_Command",
                "vnp_TmnCode",
                "vnp_TxnRef",
                "vnp_TransactionDate",
                "vnp_CreateDate",
                "vnp_IpAddr",
                "vnp_OrderInfo",
            )
        )
        body["vnp_SecureHash"] = hmac_sha512(self.hash_secret, data)
        return body

    def verify_querydr_response(self, data: dict) -> bool:
        keys = (
            "vnp_ResponseId",
            "vnp_Command",
            "vnp_ResponseCode",
            "vnp_Message",
            "vnp_TmnCode",
            "vnp_TxnRef",
            "vnp_Amount",
            "vnp_BankCode",
            "vnp_PayDate",
            "vnp_TransactionNo",
            "vnp_TransactionType",
            "vnp_TransactionStatus",
            "vnp_OrderInfo",
            "vnp_PromotionCode",
            "vnp_PromotionAmount",
        )
        expected = hmac_sha512(self.hash_secret, "|".join(str(data.get(k, "")) for k in keys))
        return hmac.compare_digest(str(data.get("vnp_SecureHash", "")).lower(), expected)

    def query_status(self, payment) -> Notice | None:
        import requests

        body = self.querydr_request(payment)
        try:
            response = requests.post(self.query_url, json=body, timeout=15)
            data = response.json()
        except (requests.RequestException, ValueError):
            logger.warning("VNPay querydr failed for %s", payment.txn_ref, exc_info=True)
            return None
        if not self.verify_querydr_response(data) or data.get("vnp_ResponseCode") != SUCCESS:
            logger.warning(
                "VNPay querydr refused for %s: %s", payment.txn_ref, data.get("vnp_ResponseCode")
            )
            return None
        return self.parse(data)


class SandboxProvider(VNPayProvider):
    """Plays VNPay on this machine: the same parameters, signature and IPN endpoint; the 'bank'
    is the page /thanh-toan/sandbox/<txn>/ and its record (SandboxCharge) answers queries."""

    name = "sandbox"

    def __init__(self):
        super().__init__(
            tmn_code=settings.SANDBOX_TMN_CODE,
            hash_secret=settings.SANDBOX_HASH_SECRET,
            payment_url="",
            query_url="",
        )

    def create_payment_url(self, payment, client_ip: str, return_url: str) -> str:
        url = reverse("payments:sandbox", args=[payment.txn_ref])
        return f"{url}?{self.signed_query(self.payment_params(payment, client_ip, return_url))}"

    def query_status(self, payment) -> Notice | None:
        from portal.payments.models import SandboxCharge

        charge = SandboxCharge.objects.filter(txn_ref=payment.txn_ref).first()
        if charge is None:
            return None  # the citizen never reached the bank: still unknown
        return Notice(
            txn_ref=charge.txn_ref,
            tmn_code=self.tmn_code,
            amount=charge.amount,
            response_code=charge.response_code,
            transaction_status=charge.response_code,
            transaction_no=charge.transaction_no,
            bank_code=charge.bank_code,
            pay_date=charge.pay_date,
        )


def get_provider(name: str | None = None) -> VNPayProvider:
    name = name or settings.PAYMENT_PROVIDER
    if name == "sandbox":
        return SandboxProvider()
    if name == "vnpay":
        if not (settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET):
            raise ImproperlyConfigured(
                "PAYMENT_PROVIDER=vnpay needs VNPAY_TMN_CODE and VNPAY_HASH_SECRET."
            )
        return VNPayProvider(
            tmn_code=settings.VNPAY_TMN_CODE,
            hash_secret=settings.VNPAY_HASH_SECRET,
            payment_url=settings.VNPAY_PAYMENT_URL,
            query_url=settings.VNPAY_QUERY_URL,
        )
    raise ImproperlyConfigured(f"Unknown PAYMENT_PROVIDER {name!r} (sandbox or vnpay).")
