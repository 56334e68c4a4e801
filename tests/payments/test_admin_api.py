"""Payments in the admin (unit-scoped, refund_due flagged, staff record transfers), the payment
API for citizens, and the receipt rendered by the worker after commit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.dossiers.models import State
from portal.payments import services
from portal.payments.models import Payment, PaymentState
from tests.backoffice.conftest import login_staff
from tests.conftest import pdf_text

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/payments/payment/"


@pytest.fixture
def paid_twice(awaiting, citizen, receiving_officer):
    dossier = awaiting()
    services.confirm_bank_transfer(dossier=dossier, actor=receiving_officer, amount=7000)
    services.confirm_bank_transfer(dossier=dossier, actor=receiving_officer, amount=7000)
    return dossier


def test_admin_lists_payments_of_the_unit_only_and_flags_refunds(
    client, paid_twice, receiving_officer, other_unit_officer, settings
):
    settings.BACKOFFICE_OTP_REQUIRED = False
    login_staff(client, receiving_officer)
    html = client.get(CHANGELIST).content.decode()
    assert paid_twice.code in html and "cần hoàn tiền" in html
    flagged = client.get(CHANGELIST, {"can_xu_ly": "hoan-tien"}).content.decode()
    assert flagged.count(paid_twice.code) == 1
    client.logout()
    login_staff(client, other_unit_officer)
    assert paid_twice.code not in client.get(CHANGELIST).content.decode()


def test_admin_records_a_vietqr_transfer(client, awaiting, receiving_officer, settings):
    settings.BACKOFFICE_OTP_REQUIRED = False
    dossier = awaiting()
    login_staff(client, receiving_officer)
    url = reverse("admin:payments_payment_record")
    wrong = client.post(url, {"code": dossier.code, "kind": "transfer", "amount": 5000})
    assert "khác lệ phí" in wrong.content.decode()
    response = client.post(
        url, {"code": dossier.code, "kind": "transfer", "amount": 7000, "bank_ref": "FT1"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert Payment.objects.get(dossier=dossier).method == "bank_transfer"


def test_api_starts_a_payment_for_the_owner_only(awaiting, citizen, other_citizen):
    dossier = awaiting()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other_citizen).key}")
    url = f"/api/v1/dossiers/{dossier.code}/payments/"
    assert api.post(url).status_code == 404
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")
    response = api.post(url)
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == 7000 and "/thanh-toan/sandbox/" in body["payment_url"]
    assert "vnp_SecureHash=" in body["payment_url"]
    listed = api.get(url).json()
    assert [(p["txn_ref"], p["state"]) for p in listed] == [(body["txn_ref"], "pending")]


def test_receipt_is_rendered_by_the_worker_after_commit(
    awaiting, receiving_officer, eager_tasks, django_capture_on_commit_callbacks
):
    dossier = awaiting()
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.confirm_bank_transfer(
            dossier=dossier, actor=receiving_officer, amount=7000
        )
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and payment.receipt.name
    with payment.receipt.open("rb") as fh:
        text = pdf_text(fh.read())
    assert dossier.code in text and "Số tiền: 7.000 đồng" in text
