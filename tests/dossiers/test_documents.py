"""The slips the engine issues (CT04 receipt, CT05 supplement guidance, CT06 refusal) render to PDFs
that carry the facts the law asks for, in correct Vietnamese."""

from __future__ import annotations

import pytest

from portal.dossiers import services
from portal.dossiers.models import Document
from tests.conftest import pdf_text as extract_text

pytestmark = pytest.mark.django_db


def pdf_text(document: Document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    return " ".join(extract_text(data).split())


def rendered(dossier, kind) -> Document:
    document = dossier.documents.get(kind=kind)
    document = services.render_document(document_id=document.pk)
    assert document.status == Document.Status.READY, document.template_name
    return document


def test_receipt_ct04(make_dossier, citizen, unit):
    dossier = make_dossier("received")
    text = pdf_text(rendered(dossier, Document.Kind.RECEIPT))
    assert "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Mẫu CT04" in text
    assert dossier.code in text
    assert citizen.full_name.upper() in text and citizen.personal_id in text
    assert "Khai báo tạm vắng" in text
    assert "Tờ khai thay đổi thông tin cư trú (CT01)" in text or "to-khai.pdf" in text
    received = dossier.received_at.astimezone(unit_tz())
    assert f"{received:%H} giờ {received:%M} phút, ngày {received:%d} tháng {received:%m}" in text
    due = dossier.due_at.astimezone(unit_tz())
    assert f"{due:%H} giờ {due:%M} phút, ngày {due:%d} tháng {due:%m}" in text
    assert unit.name in text
    # the QR code's address is also printed (it may wrap across lines)
    assert f"?ma={dossier.code}" in text.replace(" ", "")


def test_supplement_guidance_ct05(make_dossier):
    dossier = make_dossier("supplement_requested")
    text = pdf_text(rendered(dossier, Document.Kind.SUPPLEMENT_GUIDANCE))
    assert "PHIẾU HƯỚNG DẪN BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Tờ khai CT01" in text and "Thiếu chữ ký" in text and "Bản chính" in text
    assert "Ký và tải lại tờ khai." in text
    assert "một lần, đầy đủ" in text


def test_refusal_ct06_has_reason_and_legal_provision(make_dossier):
    dossier = make_dossier("refused")
    text = pdf_text(rendered(dossier, Document.Kind.REFUSAL))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
    assert "Không thuộc thẩm quyền" in text
    assert "Khoản 1 Điều 31 Luật Cư trú 2020" in text
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text


def test_the_slips_lookup_address_opens_the_lookup_page(client, make_dossier):
    dossier = make_dossier("received")
    url = dossier.documents.get(kind=Document.Kind.RECEIPT).context["lookup_url"]
    path = url.split("://", 1)[-1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert f'value="{dossier.code}"' in response.content.decode()


def unit_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")
