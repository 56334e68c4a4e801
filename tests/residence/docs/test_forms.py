"""The level-2 forms CT01–CT03: downloadable blank from the catalogue pages, and on a dossier filled
with its data (a Document of kind "form", issued at submission, rendered once, served from storage
through the dossier's access rules)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.catalogue.models import FormTemplate
from portal.catalogue.services import load_catalogue
from portal.dossiers import services
from portal.dossiers.models import Document
from tests.conftest import pdf_text

pytestmark = pytest.mark.django_db

PURPOSE = "Bổ sung hồ sơ xin việc tại Công ty Cổ phần Gang Thép"


def flat(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


@pytest.fixture
def catalogue(db):
    return load_catalogue()


def test_blank_ct01_keeps_its_download(client, catalogue):
    response = client.get("/thu-tuc/1.004194/mau/CT01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flat(b"".join(response.streaming_content))
    assert "Mẫu CT01" in text
    assert "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ" in text.upper()
    assert "Kính gửi(1): ....." in text  # nothing filled in
    assert "Đăng ký tạm trú" in text


def test_blank_ct03_is_offered_for_the_temporary_absence(client, catalogue):
    assert FormTemplate.objects.filter(code="CT03", procedures__code="1.003677").exists()
    response = client.get("/thu-tuc/1.003677/mau/CT03.pdf")
    assert response.status_code == 200
    assert "filename*=utf-8''M%E1%BA%ABu%20CT03" in response["Content-Disposition"]
    text = flat(b"".join(response.streaming_content))
    assert "Mẫu CT03" in text
    assert "PHIẾU KHAI BÁO TẠM VẮNG" in text.upper()
    assert "Lý do tạm vắng" in text
    assert "66/2023/TT-BCA" in text
    # CT01 stays the declaration of the absence; CT03 is not offered where the law has no use.
    assert client.get("/thu-tuc/1.003677/mau/CT01.pdf").status_code == 200
    assert client.get("/thu-tuc/1.004194/mau/CT03.pdf").status_code == 404


@pytest.fixture
def with_ct01(confirmation_procedure):
    ct01, _ = FormTemplate.objects.get_or_create(
        code="CT01",
        defaults={
            "name": "Tờ khai thay đổi thông tin cư trú",
            "template_name": "pdf/forms/ct01.html",
        },
    )
    confirmation_procedure.forms.add(ct01)
    return confirmation_procedure


@pytest.fixture
def submitted(citizen, area, with_ct01, registry):
    dossier = services.create_draft(
        citizen=citizen,
        procedure=with_ct01,
        area=area,
        form_data={"subject": "self", "purpose": PURPOSE},
    )
    return services.submit(dossier=dossier, actor=citizen)


def test_submission_issues_the_filled_form_once(submitted, citizen):
    forms = submitted.documents.filter(kind=Document.Kind.FORM)
    assert [d.template_name for d in forms] == ["pdf/forms/ct01.html"]
    assert forms.get().context["f"]["values"]["purpose"] == PURPOSE
    assert services.issue_filled_form(submitted, event=None) is None  # never twice


def test_citizen_downloads_the_filled_ct01(client, submitted, citizen):
    document = submitted.documents.get(kind=Document.Kind.FORM)
    services.render_document(document_id=document.pk)  # the worker's job, after commit
    url = reverse("dossiers:document", args=[submitted.code, document.pk])
    client.force_login(citizen)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    text = flat(data)
    assert "Mẫu CT01" in text
    assert "Kính gửi(1): Công an phường Phan Đình Phùng" in text
    assert "Nguyễn Văn An" in text
    assert "17/05/1990" in text
    assert "+84912345678" in text
    assert "an@example.test" in text
    assert "019090001234" in text.replace(" ", "")
    assert "Xác nhận thông tin về cư trú" in text  # the request
    assert PURPOSE in text  # a typed value
    assert "Mối quan hệ với chủ hộ: Chủ hộ" in text  # from the registry
    # Rendered once and kept: the next download is served from storage.
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.file
    stored = document.file.name
    again = client.get(url)
    assert b"".join(again.streaming_content) == data
    document.refresh_from_db()
    assert document.file.name == stored


def test_the_dossier_page_links_the_filled_form(client, submitted, citizen):
    document = submitted.documents.get(kind=Document.Kind.FORM)
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[submitted.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("dossiers:document", args=[submitted.code, document.pk]) in html
    assert "Mẫu CT01 – Tờ khai thay đổi thông tin cư trú" in html


def test_another_citizen_gets_404(client, submitted, other_citizen):
    document = submitted.documents.get(kind=Document.Kind.FORM)
    client.force_login(other_citizen)
    response = client.get(reverse("dossiers:document", args=[submitted.code, document.pk]))
    assert response.status_code == 404


def test_staff_of_the_unit_download_it_from_the_dossier_admin(
    client, submitted, receiving_officer, other_unit
):
    from tests.dossiers.conftest import make_staff

    document = submitted.documents.get(kind=Document.Kind.FORM)
    services.render_document(document_id=document.pk)  # the worker's job, after commit
    url = reverse("admin:dossiers_dossier_document", args=[submitted.pk, document.pk])
    client.force_login(receiving_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert PURPOSE in flat(b"".join(response.streaming_content))
    outsider = make_staff("ngoaidonvi", other_unit, "receiving_officer")
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_any_procedure_gets_its_form_filled_the_absence_declaration(client, citizen, area, unit):
    """The engine fills the procedure's first form generically: khai báo tạm vắng (1.003677) is
    declared on CT01, with the absence's fields as the request's content."""
    import datetime as dt

    from tests.dossiers.conftest import TEMPORARY_ABSENCE, make_procedure, valid_absence_form

    procedure = make_procedure(TEMPORARY_ABSENCE, "Khai báo tạm vắng")
    for code, name, template in (
        ("CT01", "Tờ khai thay đổi thông tin cư trú", "pdf/forms/ct01.html"),
        ("CT03", "Phiếu khai báo tạm vắng", "pdf/forms/ct03.html"),
    ):
        form, _ = FormTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "template_name": template}
        )
        procedure.forms.add(form)
    data = valid_absence_form(reason="Đi học thạc sĩ tại Đà Nẵng")
    dossier = services.create_draft(citizen=citizen, procedure=procedure, area=area, form_data=data)
    dossier = services.submit(dossier=dossier, actor=citizen)
    document = dossier.documents.get(kind=Document.Kind.FORM)
    assert document.template_name == "pdf/forms/ct01.html"
    services.render_document(document_id=document.pk)  # the worker's job, after commit
    client.force_login(citizen)
    response = client.get(reverse("dossiers:document", args=[dossier.code, document.pk]))
    text = flat(b"".join(response.streaming_content))
    assert "Nội dung đề nghị(2): Khai báo tạm vắng" in text
    assert "Đi học thạc sĩ tại Đà Nẵng" in text
    date_from = dt.date.fromisoformat(data["date_from"]).strftime("%d/%m/%Y")
    assert date_from in text
    assert "Số 10 phố Huế" in text
