"""The postage of a result by post at level 4: a free procedure's dossier waits for the postage
alone (paid online, the receipt says it is the postage); without a payment provider, or with an
electronic / in-person result, there is no payment step. Amounts on the receipt are Vietnamese
("25.000 đồng")."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.catalogue.models import RequiredDocument
from portal.core.errors import DomainError
from portal.dossiers import services as engine
from portal.dossiers.models import State
from portal.payments import services, vietqr
from portal.payments.models import Payment, PaymentState
from portal.postal.models import PostalFeeRate
from tests.conftest import pdf_text
from tests.dossiers.conftest import (
    make_procedure,
    register_test_payment_provider,
    valid_absence_form,
    valid_temporary_registration_form,
)

pytestmark = pytest.mark.django_db

ADDRESS = "Số 8, tổ 2, phường Phan Đình Phùng, tỉnh Thái Nguyên"


@pytest.fixture
def postal_rate(db):
    return PostalFeeRate.objects.create(valid_from=dt.date(2020, 1, 1), amount=25_000)


@pytest.fixture
def free_level4(db):
    """A level-4 procedure without any fee whose result may come by post."""
    register_test_payment_provider()
    proc = make_procedure("9.900001", "Thủ tục thử không thu lệ phí", level=4)
    proc.result_methods = ["in_person", "post", "electronic"]
    proc.save(update_fields=["result_methods"])
    RequiredDocument.objects.create(procedure=proc, key="to-khai", name="Tờ khai", position=1)
    return proc


@pytest.fixture
def file_free(free_level4, citizen, area, unit, pdf_bytes, postal_rate):
    def _file(result_method: str = "post"):
        dossier = engine.create_draft(
            citizen=citizen, procedure=free_level4, area=area, form_data=valid_absence_form()
        )
        dossier = engine.update_draft(
            dossier=dossier,
            actor=citizen,
            result_method=result_method,
            result_address=ADDRESS if result_method == "post" else "",
        )
        engine.add_attachment(
            dossier=dossier,
            actor=citizen,
            uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes),
            requirement_key="to-khai",
        )
        return engine.submit(dossier=dossier, actor=citizen)

    return _file


def _receipt_text(client, payment) -> str:
    response = client.get(reverse("payments:receipt", args=[payment.txn_ref]))
    assert response.status_code == 200
    return " ".join(pdf_text(b"".join(response.streaming_content)).split())


def test_a_free_procedure_by_post_waits_for_the_postage_paid_in_the_sandbox(
    client, file_free, citizen
):
    dossier = file_free("post")
    assert (dossier.state, dossier.fee_amount, dossier.postal_fee) == (
        State.AWAITING_PAYMENT,
        0,
        25_000,
    )
    assert dossier.received_at is None and dossier.due_at is None  # the clock waits for payment
    assert services.amount_due(dossier) == 25_000
    client.force_login(citizen)
    detail = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Thanh toán cước bưu chính" in detail and "25.000" in detail
    page = client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    assert "Thanh toán cước bưu chính" in page and "25.000" in page
    assert 'id="mien-le-phi"' not in page  # nothing to exempt: the postage is not a fee
    assert "CUOC BUU CHINH" in page and "540525000" in vietqr.for_dossier(dossier)

    bank_url = client.post(reverse("payments:pay", args=[dossier.code]))["Location"]
    path, query = bank_url.split("?", 1)
    params = dict(urllib.parse.parse_qsl(query))
    assert params["vnp_Amount"] == "2500000"
    assert params["vnp_OrderInfo"] == f"Thanh toan cuoc buu chinh ho so {dossier.code}"
    client.post(path, {**params, "outcome": "pay"})  # the sandbox sends the signed IPN

    dossier.refresh_from_db()
    payment = Payment.objects.get(dossier=dossier)
    assert payment.state == PaymentState.SUCCEEDED and payment.amount == 25_000
    assert dossier.state == State.SUBMITTED
    assert dossier.paid_at and dossier.received_at and dossier.due_at
    text = _receipt_text(client, payment)
    assert "BIÊN LAI THU CƯỚC BƯU CHÍNH" in text  # the title is in capitals
    assert "Nội dung thu: cước bưu chính trả kết quả" in text
    assert "Cước bưu chính trả kết quả: 25.000 đồng" in text
    assert "Số tiền: 25.000 đồng" in text and "Lệ phí:" not in text


@pytest.mark.parametrize("method", ["electronic", "in_person"])
def test_a_free_procedure_without_post_has_no_payment_step(file_free, method):
    dossier = file_free(method)
    assert dossier.state == State.SUBMITTED
    assert (dossier.fee_amount, dossier.postal_fee) == (0, 0)
    assert dossier.received_at is not None and not Payment.objects.filter(dossier=dossier)


def test_without_a_payment_provider_the_postage_is_paid_on_delivery(
    client, file_free, citizen, no_payment_provider
):
    dossier = file_free("post")
    assert dossier.state == State.SUBMITTED and dossier.postal_fee == 25_000
    client.force_login(citizen)
    detail = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "nộp khi nhận kết quả" in detail and "Thanh toán cước bưu chính" not in detail
    page = client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    assert 'id="cuoc-khi-nhan"' in page and 'id="thanh-toan"' not in page


def test_the_filing_form_says_when_the_postage_is_paid(free_level4, postal_rate, settings):
    from portal.dossiers.forms import FilingForm
    from portal.dossiers.payments import _providers

    text = str(FilingForm(procedure=free_level4).fields["result_address"].help_text)
    assert "25.000" in text and "thanh toán trực tuyến khi nộp hồ sơ" in text
    saved = dict(_providers)
    _providers.clear()
    try:
        text = str(FilingForm(procedure=free_level4).fields["result_address"].help_text)
    finally:
        _providers.update(saved)
    assert "25.000" in text and "nộp khi nhận kết quả" in text


def test_no_fee_exemption_for_the_postage(file_free, citizen, pdf_bytes):
    dossier = file_free("post")
    with pytest.raises(DomainError) as info:
        services.claim_exemption(
            dossier=dossier,
            actor=citizen,
            reason="elderly",
            details="",
            proof_file=SimpleUploadedFile("cccd.pdf", pdf_bytes, "application/pdf"),
        )
    assert info.value.code == "no_fee"


@pytest.fixture
def fee_and_post(citizen, procedure_level4, area, unit, pdf_bytes, postal_rate):
    procedure_level4.result_methods = ["in_person", "post"]
    procedure_level4.save(update_fields=["result_methods"])
    dossier = engine.create_draft(
        citizen=citizen,
        procedure=procedure_level4,
        area=area,
        form_data=valid_temporary_registration_form(),
    )
    dossier = engine.update_draft(
        dossier=dossier, actor=citizen, result_method="post", result_address=ADDRESS
    )
    engine.add_attachment(
        dossier=dossier,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes),
        requirement_key="to-khai",
    )
    return engine.submit(dossier=dossier, actor=citizen)


def test_an_exempted_fee_leaves_the_postage_to_pay(
    fee_and_post, citizen, receiving_officer, pdf_bytes, settings
):
    settings.BACKOFFICE_OTP_REQUIRED = False
    claim = services.claim_exemption(
        dossier=fee_and_post,
        actor=citizen,
        reason="elderly",
        details="",
        proof_file=SimpleUploadedFile("cccd.pdf", pdf_bytes, "application/pdf"),
    )
    services.review_exemption(exemption=claim, actor=receiving_officer, accept=True)
    dossier = type(fee_and_post).objects.get(pk=fee_and_post.pk)
    assert dossier.state == State.AWAITING_PAYMENT and dossier.fee_amount == 0
    assert services.amount_due(dossier) == 25_000
    payment = services.confirm_bank_transfer(
        dossier=dossier, actor=receiving_officer, amount=25_000
    )
    dossier.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and dossier.state == State.SUBMITTED


def test_the_receipt_of_fee_and_postage_prints_vietnamese_amounts(
    client, fee_and_post, citizen, receiving_officer, settings
):
    settings.BACKOFFICE_OTP_REQUIRED = False
    payment = services.confirm_bank_transfer(
        dossier=fee_and_post, actor=receiving_officer, amount=32_000
    )
    client.force_login(citizen)
    text = _receipt_text(client, payment)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert "Nội dung thu: lệ phí và cước bưu chính trả kết quả" in text
    assert "Lệ phí: 7.000 đồng" in text
    assert "Cước bưu chính trả kết quả: 25.000 đồng" in text
    assert "Số tiền: 32.000 đồng (VND)" in text
    page = client.get(reverse("payments:pay", args=[fee_and_post.code])).content.decode()
    assert "32.000 đồng" in page  # the list of payments too
