"""The CT08 result notice (Thông báo về kết quả giải quyết, hủy bỏ thủ tục đăng ký cư trú) as the
procedures issue it through residence.documents.result_notice."""

from __future__ import annotations

import pytest

from portal.core.pdf import render_pdf
from portal.dossiers import services
from residence.documents import CT08_TEMPLATE, result_notice
from tests.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_ct08_reads_as_the_official_notice(citizen, area, confirmation_procedure):
    dossier = services.create_draft(
        citizen=citizen,
        procedure=confirmation_procedure,
        area=area,
        form_data={"subject": "self", "purpose": "Thử"},
    )
    dossier = services.submit(dossier=dossier, actor=citizen)
    spec = result_notice(
        title="Đăng ký tạm trú",
        lines=[
            ("Nơi tạm trú", "Phòng 204, số 88 đường Quang Trung, phường Quyết Thắng"),
            ("Thời hạn tạm trú đến ngày", "31/12/2027"),
        ],
        text="Đã đăng ký tạm trú cho công dân.",
    )
    assert spec.template_name == CT08_TEMPLATE
    context = services.document_context(dossier, title=spec.title, **spec.context)
    text = " ".join(
        pdf_text(render_pdf(spec.template_name, services._render_context(context))).split()
    )
    for expected in (
        "Mẫu CT08",
        "CÔNG AN PHƯỜNG PHAN ĐÌNH PHÙNG",
        f"Số: {dossier.code}/TB",
        "THÔNG BÁO",
        "Về kết quả giải quyết, hủy bỏ thủ tục đăng ký cư trú",
        "Kính gửi: Nguyễn Văn An",
        "Căn cứ Luật Cư trú",
        "Số định danh cá nhân: 019090001234",
        "Đăng ký tạm trú",
        "Đã đăng ký tạm trú cho công dân.",
        "Nơi tạm trú: Phòng 204, số 88 đường Quang Trung, phường Quyết Thắng",
        "Thời hạn tạm trú đến ngày: 31/12/2027",
        "Nơi nhận:",
        "TRƯỞNG CÔNG AN",
    ):
        assert expected in text, expected
