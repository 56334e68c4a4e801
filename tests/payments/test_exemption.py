"""Fee exemption: claimed with a proof before paying; staff of the unit accept (fee waived, the
dossier proceeds) or reject with a reason (the citizen pays)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.core.errors import DomainError, PermissionDenied
from portal.dossiers.models import State
from portal.payments import services
from portal.payments.models import ExemptionState, FeeExemption

pytestmark = pytest.mark.django_db


def test_claim_on_the_payment_page_then_staff_accept(
    client, awaiting, citizen, receiving_officer, other_unit_officer, pdf_bytes, settings
):
    settings.BACKOFFICE_OTP_REQUIRED = False
    dossier = awaiting()
    dossier.procedure.exemptions = "Các trường hợp miễn lệ phí theo Điều 4 Thông tư 75/2022/TT-BTC."
    dossier.procedure.save()
    client.force_login(citizen)
    page = client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    assert "Đề nghị miễn lệ phí" in page and "Thông tư 75/2022" in page
    response = client.post(
        reverse("payments:pay", args=[dossier.code]),
        {
            "action": "exemption",
            "reason": "disabled",
            "details": "Giấy xác nhận khuyết tật",
            "proof": SimpleUploadedFile("xac-nhan.pdf", pdf_bytes, "application/pdf"),
        },
    )
    assert response.status_code == 302
    claim = FeeExemption.objects.get(dossier=dossier)
    assert claim.state == ExemptionState.CLAIMED and claim.proof.dossier_id == dossier.pk
    dossier.refresh_from_db()
    assert dossier.state == State.AWAITING_PAYMENT  # nothing waived before staff decide
    with pytest.raises(PermissionDenied):
        services.review_exemption(exemption=claim, actor=other_unit_officer, accept=True)
    services.review_exemption(exemption=claim, actor=receiving_officer, accept=True)
    dossier.refresh_from_db()
    claim.refresh_from_db()
    assert claim.state == ExemptionState.ACCEPTED and claim.reviewed_by == receiving_officer
    assert dossier.state == State.SUBMITTED and dossier.fee_amount == 0


def test_staff_reject_with_a_reason_and_the_citizen_pays(
    awaiting, citizen, receiving_officer, pdf_bytes, settings, client
):
    settings.BACKOFFICE_OTP_REQUIRED = False
    dossier = awaiting()
    claim = services.claim_exemption(
        dossier=dossier,
        actor=citizen,
        reason="elderly",
        details="",
        proof_file=SimpleUploadedFile("cccd.pdf", pdf_bytes, "application/pdf"),
    )
    with pytest.raises(DomainError) as info:
        services.review_exemption(exemption=claim, actor=receiving_officer, accept=False)
    assert info.value.code == "invalid_form"
    services.review_exemption(
        exemption=claim,
        actor=receiving_officer,
        accept=False,
        rejection_reason="Người nộp chưa đủ 60 tuổi theo giấy tờ đính kèm.",
    )
    dossier.refresh_from_db()
    assert dossier.state == State.AWAITING_PAYMENT and dossier.fee_amount == 7000
    client.force_login(citizen)
    page = client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    assert "chưa đủ 60 tuổi" in page and 'id="thanh-toan"' in page


def test_claim_needs_a_reason_and_a_valid_proof(awaiting, citizen):
    dossier = awaiting()
    with pytest.raises(DomainError) as info:
        services.claim_exemption(
            dossier=dossier, actor=citizen, reason="", details="", proof_file=None
        )
    assert info.value.code == "invalid_form"
    with pytest.raises(DomainError):
        services.claim_exemption(
            dossier=dossier,
            actor=citizen,
            reason="child",
            details="",
            proof_file=SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf"),
        )
    assert not FeeExemption.objects.exists()
