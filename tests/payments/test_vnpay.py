"""The VNPay 2.1.0 adapter: payment URL and querydr signatures checked against values computed
here with the hmac module (independently of portal.payments.providers)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import urllib.parse
from types import SimpleNamespace

from portal.payments.providers import VNPayProvider
from tests.payments.conftest import vnpay_sign

SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456"


def _provider():
    return VNPayProvider(
        tmn_code="DEMO0001",
        hash_secret=SECRET,
        payment_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        query_url="https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
    )


def _payment():
    created = dt.datetime(2026, 12, 1, 3, 0, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
    return SimpleNamespace(
        txn_ref="261201100000AB12CD34",
        amount=7000,
        created_at=created,
        expires_at=created + dt.timedelta(minutes=15),
        dossier=SimpleNamespace(code="CAX-20261201-0001"),
    )


def test_payment_url_has_the_2_1_0_parameters_and_a_known_signature():
    url = _provider().create_payment_url(
        _payment(), "10.0.0.5", "https://portal.example/ket-qua/?a=1"
    )
    base, query = url.split("?", 1)
    assert base == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    params = dict(urllib.parse.parse_qsl(query))
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay"
    assert params["vnp_TmnCode"] == "DEMO0001" and params["vnp_CurrCode"] == "VND"
    assert params["vnp_Amount"] == "700000"  # × 100
    assert params["vnp_CreateDate"] == "20261201100000"
    assert params["vnp_ExpireDate"] == "20261201101500"
    assert params["vnp_IpAddr"] == "10.0.0.5" and params["vnp_Locale"] == "vn"
    assert params["vnp_ReturnUrl"] == "https://portal.example/ket-qua/?a=1"
    # the known vector, computed by hand: sorted, quote_plus values, joined by &
    data = (
        "vnp_Amount=700000&vnp_Command=pay&vnp_CreateDate=20261201100000&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20261201101500&vnp_IpAddr=10.0.0.5&vnp_Locale=vn"
        "&vnp_OrderInfo=Thanh+toan+le+phi+ho+so+CAX-20261201-0001&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fportal.example%2Fket-qua%2F%3Fa%3D1"
        "&vnp_TmnCode=DEMO0001&vnp_TxnRef=261201100000AB12CD34&vnp_Version=2.1.0"
    )
    expected = hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    assert query == f"{data}&vnp_SecureHash={expected}"
    assert params["vnp_SecureHash"] == vnpay_sign(SECRET, dict(params.items()))


def test_verify_accepts_vnpay_signature_in_upper_case_and_refuses_tampering():
    provider = _provider()
    params = {"vnp_TxnRef": "X1", "vnp_Amount": "700000", "vnp_ResponseCode": "00"}
    params["vnp_SecureHash"] = vnpay_sign(SECRET, params).upper()
    params["vnp_SecureHashType"] = "HmacSHA512"
    assert provider.verify(params)
    assert not provider.verify({**params, "vnp_ResponseCode": "24"})


def test_querydr_request_and_response_checksums():
    provider = _provider()
    now = dt.datetime(2026, 12, 1, 4, 0, 0, tzinfo=dt.UTC)
    body = provider.querydr_request(_payment(), request_id="req1", now=now)
    assert body["vnp_Command"] == "querydr" and body["vnp_TransactionDate"] == "20261201100000"
    data = "|".join(
        [
            "req1",
            "2.1.0",
            "querydr",
            "DEMO0001",
            "261201100000AB12CD34",
            "20261201100000",
            "20261201110000",
            "127.0.0.1",
            body["vnp_OrderInfo"],
        ]
    )
    assert (
        body["vnp_SecureHash"]
        == hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    )
    answer = {
        "vnp_ResponseId": "r1",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "DEMO0001",
        "vnp_TxnRef": "261201100000AB12CD34",
        "vnp_Amount": "700000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261201100500",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00",
        "vnp_OrderInfo": "x",
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    answer["vnp_SecureHash"] = hmac.new(
        SECRET.encode(), "|".join(answer.values()).encode(), hashlib.sha512
    ).hexdigest()
    assert provider.verify_querydr_response(answer)
    notice = provider.parse(answer)
    assert notice.succeeded and notice.amount == 7000
    assert not provider.verify_querydr_response({**answer, "vnp_Amount": "100"})


def test_system_check_refuses_an_unconfigured_vnpay(settings):
    from portal.payments.checks import check_payment_provider

    settings.PAYMENT_PROVIDER = "vnpay"
    settings.VNPAY_TMN_CODE = ""
    assert [e.id for e in check_payment_provider()] == ["payments.E002"]
    settings.VNPAY_TMN_CODE = "DEMO0001"
    settings.VNPAY_HASH_SECRET = SECRET
    assert check_payment_provider() == []
    settings.PAYMENT_PROVIDER = "sandbox"
    settings.DEBUG = False
    assert [e.id for e in check_payment_provider()] == ["payments.W001"]
