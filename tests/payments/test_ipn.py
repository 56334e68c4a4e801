"""The IPN endpoint answers VNPay's JSON exactly and changes a payment once (real PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from portal.dossiers.models import DossierEvent, State
from portal.payments import services
from portal.payments.models import Payment, PaymentState
from tests.payments.conftest import IPN_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(awaiting, citizen):
    def _start():
        dossier = awaiting()
        payment, _url = services.start_online_payment(
            dossier=dossier,
            actor=citizen,
            client_ip="10.0.0.5",
            return_url="http://testserver/thanh-toan/ket-qua/",
        )
        return dossier, payment

    return _start


def _ipn(params) -> dict:
    response = Client().get(IPN_URL, params)
    assert response.status_code == 200
    return json.loads(response.content)


def _raw_ipn(params) -> bytes:
    return Client().get(IPN_URL, params).content


def _confirmations(dossier) -> int:
    return DossierEvent.objects.filter(dossier=dossier, action="confirm_payment").count()


def test_valid_ipn_confirms_payment_and_dossier_in_one_go(started, ipn_params):
    dossier, payment = started()
    assert dossier.state == State.AWAITING_PAYMENT and payment.amount == 7000
    assert _raw_ipn(ipn_params(payment)) == b'{"RspCode":"00","Message":"Confirm Success"}'
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert payment.provider_txn_no == "14226112" and payment.bank_code == "NCB"
    assert payment.raw_ipn["vnp_TxnRef"] == payment.txn_ref
    assert dossier.state == State.SUBMITTED and dossier.paid_at == payment.paid_at
    assert dossier.received_at is not None and _confirmations(dossier) == 1


def test_tampered_signature_is_97_and_changes_nothing(started, ipn_params):
    dossier, payment = started()
    params = ipn_params(payment)
    params["vnp_Amount"] = "100"  # changed after signing
    assert _ipn(params) == {"RspCode": "97", "Message": "Invalid signature"}
    params = ipn_params(payment, secret="not-the-secret")
    assert _ipn(params)["RspCode"] == "97"
    assert _ipn(ipn_params(payment, sign=False))["RspCode"] == "97"
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.PENDING and dossier.state == State.AWAITING_PAYMENT


def test_wrong_amount_is_04(started, ipn_params):
    dossier, payment = started()
    assert _ipn(ipn_params(payment, vnp_Amount="600000")) == {
        "RspCode": "04",
        "Message": "Invalid amount",
    }
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert Payment.objects.get(pk=payment.pk).dossier.state == State.AWAITING_PAYMENT


def test_wrong_merchant_is_refused(started, ipn_params):
    dossier, payment = started()
    assert _ipn(ipn_params(payment, vnp_TmnCode="OTHERSHOP")) == {
        "RspCode": "01",
        "Message": "Order not found",
    }
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_unknown_order_is_01(started, ipn_params):
    _dossier, payment = started()
    assert _ipn(ipn_params(payment, vnp_TxnRef="NOSUCHORDER1"))["RspCode"] == "01"


def test_replayed_and_duplicate_ipn_is_02_and_applied_once(started, ipn_params):
    dossier, payment = started()
    params = ipn_params(payment)
    assert _ipn(params)["RspCode"] == "00"
    assert _ipn(params) == {"RspCode": "02", "Message": "Order already confirmed"}
    # a different (failure) notice for the same order after success: still confirmed once
    assert (
        _ipn(ipn_params(payment, vnp_ResponseCode="51", vnp_TransactionStatus="02"))["RspCode"]
        == "02"
    )
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert _confirmations(dossier) == 1


def test_failed_payment_can_be_retried(started, ipn_params, citizen):
    dossier, payment = started()
    assert (
        _ipn(ipn_params(payment, vnp_ResponseCode="24", vnp_TransactionStatus="02"))["RspCode"]
        == "00"
    )
    payment.refresh_from_db()
    assert payment.state == PaymentState.CANCELLED
    retry, _url = services.start_online_payment(
        dossier=dossier, actor=citizen, client_ip="10.0.0.5", return_url="http://x/"
    )
    assert retry.txn_ref != payment.txn_ref
    assert _ipn(ipn_params(retry))["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_paying_twice_flags_the_second_for_refund_never_applied_twice(started, ipn_params, citizen):
    dossier, first = started()
    second, _url = services.start_online_payment(
        dossier=dossier, actor=citizen, client_ip="10.0.0.5", return_url="http://x/"
    )
    assert _ipn(ipn_params(first))["RspCode"] == "00"
    assert _ipn(ipn_params(second))["RspCode"] == "00"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == PaymentState.SUCCEEDED
    assert second.state == PaymentState.REFUND_DUE and "hoàn trả" in second.note
    assert _confirmations(dossier) == 1


def test_garbage_query_gets_an_answer_never_a_500():
    assert _ipn({"vnp_Amount": "abc"})["RspCode"] == "97"
    assert _ipn({})["RspCode"] == "97"


def test_late_notices_for_an_expired_payment(started, ipn_params, settings):
    """Given up (expired) by reconciliation: a late failure keeps it expired; a late success is
    money received, so it is still applied (the dossier still waits)."""
    import datetime as dt

    from django.utils import timezone

    dossier, payment = started()
    later = timezone.now() + dt.timedelta(hours=settings.PAYMENT_GIVE_UP_HOURS + 1)
    services.reconcile(now=later)
    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED
    assert (
        _ipn(ipn_params(payment, vnp_ResponseCode="51", vnp_TransactionStatus="02"))["RspCode"]
        == "00"
    )
    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED
    assert _ipn(ipn_params(payment))["RspCode"] == "00"
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and dossier.state == State.SUBMITTED
