"""Sandbox flow end to end through the pages, the return URL, reconciliation, receipts, and the
staff confirmations (VietQR transfer, counter payment). Real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.core.errors import Conflict, PermissionDenied
from portal.dossiers.models import DossierEvent, State
from portal.payments import services
from portal.payments.models import Payment, PaymentState, SandboxCharge
from tests.conftest import pdf_text

pytestmark = pytest.mark.django_db


def _start_on_page(client, dossier):
    page = client.get(reverse("payments:pay", args=[dossier.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "7.000" in html and "Thanh toán lệ phí" in html and "VietQR" in html
    response = client.post(reverse("payments:pay", args=[dossier.code]))
    assert response.status_code == 302
    return response["Location"]


def _bank_form(client, bank_url):
    path, query = bank_url.split("?", 1)
    page = client.get(bank_url)
    assert page.status_code == 200 and "7.000" in page.content.decode()
    return path, dict(urllib.parse.parse_qsl(query))


def test_detail_page_offers_payment_while_awaiting(client, awaiting, citizen):
    dossier = awaiting()
    client.force_login(citizen)
    html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert reverse("payments:pay", args=[dossier.code]) in html and "Thanh toán lệ phí" in html


def test_sandbox_flow_end_to_end(client, awaiting, citizen, settings):
    dossier = awaiting()
    client.force_login(citizen)
    bank_url = _start_on_page(client, dossier)
    assert bank_url.startswith("/thanh-toan/sandbox/")
    path, params = _bank_form(client, bank_url)
    back = client.post(path, {**params, "outcome": "pay"})
    assert back.status_code == 302
    assert back["Location"].startswith(f"{settings.PUBLIC_BASE_URL}/thanh-toan/ket-qua/?")
    dossier.refresh_from_db()
    payment = Payment.objects.get(dossier=dossier)
    assert payment.state == PaymentState.SUCCEEDED  # the IPN went through the real endpoint code
    assert dossier.state == State.SUBMITTED and dossier.paid_at is not None
    result = client.get(back["Location"])
    assert "Thanh toán thành công" in result.content.decode()
    receipt = client.get(reverse("payments:receipt", args=[payment.txn_ref]))
    assert receipt.status_code == 200
    text = pdf_text(b"".join(receipt.streaming_content))
    assert dossier.code in text and "Số tiền: 7.000 đồng" in text and "BIÊN LAI" in text.upper()
    payment.refresh_from_db()
    assert payment.receipt.name  # stored once, served from storage afterwards


def test_sandbox_cancel_then_retry(client, awaiting, citizen):
    dossier = awaiting()
    client.force_login(citizen)
    path, params = _bank_form(client, _start_on_page(client, dossier))
    back = client.post(path, {**params, "outcome": "cancel"})
    assert "đã hủy giao dịch" in client.get(back["Location"]).content.decode()
    assert Payment.objects.get(dossier=dossier).state == PaymentState.CANCELLED
    path, params = _bank_form(client, _start_on_page(client, dossier))
    client.post(path, {**params, "outcome": "pay"})
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert sorted(Payment.objects.filter(dossier=dossier).values_list("state", flat=True)) == [
        "cancelled",
        "succeeded",
    ]


def test_sandbox_refuses_a_tampered_request(client, awaiting, citizen):
    dossier = awaiting()
    client.force_login(citizen)
    path, params = _bank_form(client, _start_on_page(client, dossier))
    params["vnp_Amount"] = "100"
    assert client.post(path, {**params, "outcome": "pay"}).status_code == 400
    assert not SandboxCharge.objects.exists()


def test_return_url_alone_changes_nothing(client, awaiting, citizen, ipn_params):
    dossier = awaiting()
    payment, _ = services.start_online_payment(
        dossier=dossier, actor=citizen, client_ip="1.2.3.4", return_url="http://testserver/x/"
    )
    client.force_login(citizen)
    page = client.get(reverse("payments:return"), ipn_params(payment))
    assert page.status_code == 200 and "đang chờ xác nhận" in page.content.decode()
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.PENDING and dossier.state == State.AWAITING_PAYMENT


def test_reconciliation_recovers_a_dossier_whose_ipn_was_dropped(awaiting, citizen, settings):
    dossier = awaiting()
    payment, url = services.start_online_payment(
        dossier=dossier, actor=citizen, client_ip="1.2.3.4", return_url="http://testserver/x/"
    )
    params = dict(urllib.parse.parse_qsl(url.split("?", 1)[1]))
    services.sandbox_respond(params=params, outcome="pay", deliver_ipn=False)  # IPN lost
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert services.reconcile() == 0  # too recent to ask
    later = timezone.now() + dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES + 1)
    assert services.reconcile(now=later) == 1
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and dossier.state == State.SUBMITTED
    assert services.reconcile(now=later) == 0  # nothing twice
    assert DossierEvent.objects.filter(dossier=dossier, action="confirm_payment").count() == 1


def test_reconciliation_expires_an_abandoned_payment_and_allows_retry(awaiting, citizen, settings):
    dossier = awaiting()
    payment, _ = services.start_online_payment(
        dossier=dossier, actor=citizen, client_ip="1.2.3.4", return_url="http://testserver/x/"
    )
    much_later = timezone.now() + dt.timedelta(hours=settings.PAYMENT_GIVE_UP_HOURS + 1)
    assert services.reconcile(now=much_later) == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.EXPIRED
    dossier.refresh_from_db()
    assert dossier.state == State.AWAITING_PAYMENT


def test_staff_confirm_a_vietqr_transfer_in_their_unit_only(
    awaiting, receiving_officer, other_unit_officer, settings
):
    settings.BACKOFFICE_OTP_REQUIRED = False
    dossier = awaiting()
    with pytest.raises(PermissionDenied):
        services.confirm_bank_transfer(dossier=dossier, actor=other_unit_officer, amount=7000)
    payment = services.confirm_bank_transfer(
        dossier=dossier, actor=receiving_officer, amount=7000, bank_ref="FT2633501234"
    )
    dossier.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and payment.recorded_by == receiving_officer
    assert dossier.state == State.SUBMITTED
    again = services.confirm_bank_transfer(dossier=dossier, actor=receiving_officer, amount=7000)
    assert again.state == PaymentState.REFUND_DUE


def test_level_3_fee_recorded_at_the_counter(make_dossier, receiving_officer, settings):
    settings.BACKOFFICE_OTP_REQUIRED = False
    dossier = make_dossier("submitted")
    # as if the catalogue had an in-person fee when it was submitted (frozen on the dossier)
    type(dossier).objects.filter(pk=dossier.pk).update(fee_amount=15000)
    payment = services.record_counter_payment(dossier=dossier, actor=receiving_officer)
    dossier.refresh_from_db()
    assert payment.method == "counter" and payment.state == PaymentState.SUCCEEDED
    assert payment.amount == 15000
    assert dossier.paid_at is not None and dossier.state == State.SUBMITTED
    with pytest.raises(Conflict):
        services.record_counter_payment(dossier=dossier, actor=receiving_officer)


def test_postal_fee_is_paid_with_the_fee_at_level_4(client, citizen, procedure_level4, area, unit):
    """Result by post at level 4: the postal fee from the table is frozen at submission and paid
    online together with the fee (one payment, one amount, the VietQR too)."""
    import datetime as dt

    from portal.dossiers import services as engine
    from portal.payments import vietqr
    from portal.postal.models import PostalFeeRate
    from tests.dossiers.conftest import make_pdf_bytes, valid_temporary_registration_form

    if "post" not in (procedure_level4.result_methods or []):
        procedure_level4.result_methods = [*(procedure_level4.result_methods or []), "post"]
        procedure_level4.save(update_fields=["result_methods"])
    PostalFeeRate.objects.create(valid_from=dt.date(2020, 1, 1), amount=25_000)
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = engine.create_draft(
        citizen=citizen,
        procedure=procedure_level4,
        area=area,
        form_data=valid_temporary_registration_form(),
    )
    dossier = engine.update_draft(
        dossier=dossier,
        actor=citizen,
        result_method="post",
        result_address="Số 8, tổ 2, phường Phan Đình Phùng",
    )
    engine.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("a.pdf", make_pdf_bytes()),
        requirement_key="to-khai",
    )
    dossier = engine.submit(dossier=dossier, actor=citizen)
    assert (dossier.state, dossier.fee_amount, dossier.postal_fee) == (
        State.AWAITING_PAYMENT,
        7_000,
        25_000,
    )
    client.force_login(citizen)
    page = client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    assert "25.000" in page and "32.000" in page  # the postal fee and the total, before paying
    client.post(reverse("payments:pay", args=[dossier.code]))
    assert Payment.objects.get(dossier=dossier).amount == 32_000
    assert "540532000" in vietqr.for_dossier(dossier)  # EMVCo field 54 (amount), length 05
