import io

import pytest
from pypdf import PdfReader

from tests.conftest import pdf_text

TITLE = "Tờ khai thay đổi thông tin cư trú"
COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def embedded_font_names(data: bytes) -> set[str]:
    """Family names (from the embedded font programs) of every font embedded in the PDF."""
    from fontTools.ttLib import TTFont

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            program = descriptor.get_object().get("/FontFile2")
            assert program is not None, f"font {font['/BaseFont']} is not embedded"
            tt = TTFont(io.BytesIO(program.get_object().get_data()))
            names.add(tt["name"].getDebugName(1))
    return names


@pytest.fixture
def ct01(client, catalogue):
    return client.get("/thu-tuc/1.004194/mau/CT01.pdf")


def test_ct01_is_a_pdf_download_with_vietnamese_filename(ct01):
    assert ct01.status_code == 200
    assert ct01["Content-Type"] == "application/pdf"
    assert ct01.content.startswith(b"%PDF")
    disposition = ct01["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # "Mẫu CT01 - Tờ khai thay đổi thông tin cư trú.pdf", RFC 5987-encoded
    assert "filename*=utf-8''M%E1%BA%ABu%20CT01%20-%20T%E1%BB%9D%20khai" in disposition


def test_ct01_text_is_correct_vietnamese(ct01):
    text = pdf_text(ct01.content)
    flat = " ".join(text.split())
    assert COUNTRY in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert TITLE.lower() in flat.lower()
    assert "Mẫu CT01" in flat
    assert "66/2023/TT-BCA" in flat
    assert "Số định danh cá nhân" in flat
    assert "Những thành viên trong hộ gia đình cùng thay đổi" in flat
    assert "Người kê khai".upper() in flat.upper()
    assert "Đăng ký tạm trú" in flat  # the request is prefilled from the procedure
    assert len(PdfReader(io.BytesIO(ct01.content)).pages) == 1


def test_ct01_embeds_dejavu_fonts(ct01):
    names = embedded_font_names(ct01.content)
    assert names and all(name.startswith("DejaVu") for name in names), names


def test_ct02_renders(client, catalogue):
    response = client.get("/thu-tuc/1.004222/mau/CT02.pdf")
    assert response.status_code == 200
    flat = " ".join(pdf_text(response.content).split())
    assert "Mẫu CT02" in flat
    assert "định cư ở nước ngoài" in flat


def test_level_2_procedure_offers_its_form(client, catalogue):
    assert client.get("/thu-tuc/1.010028/mau/ct01.pdf").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/thu-tuc/1.003197/mau/CT02.pdf",  # form not listed for this procedure
        "/thu-tuc/2.001159/mau/CT01.pdf",  # procedure without forms
        "/thu-tuc/0.000000/mau/CT01.pdf",  # unknown procedure
        "/thu-tuc/1.004194/mau/CT99.pdf",  # unknown form
    ],
)
def test_forms_not_offered_are_404(client, catalogue, url):
    assert client.get(url).status_code == 404


def test_level_1_never_offers_forms_even_if_linked(client, catalogue):
    from portal.catalogue.models import FormTemplate, Procedure

    p = Procedure.objects.get(code="2.001178")
    p.level = 1
    p.save()
    p.forms.add(FormTemplate.objects.get(code="CT01"))  # e.g. added by mistake in the admin
    assert client.get("/thu-tuc/2.001178/mau/CT01.pdf").status_code == 404
    assert client.get("/thu-tuc/2.001178/mau/DC02.pdf").status_code == 404
    assert "/mau/" not in client.get("/thu-tuc/2.001178/").content.decode()
