"""/xac-thuc/ and POST /api/v1/verify/: any upload gets an answer (never a 500); a signed result
verifies, the same file changed by one byte does not; the QR page shows masked facts only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.dossiers import services
from portal.dossiers.models import Document
from tests.dossiers.conftest import make_pdf_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1/verify/"
PAGE = "/xac-thuc/"


def _api(client, data: bytes, name: str = "van-ban.pdf"):
    return client.post(API, {"file": SimpleUploadedFile(name, data, "application/pdf")})


def _page(client, data: bytes, name: str = "van-ban.pdf"):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data, "application/pdf")})


def _one_byte_changed(data: bytes, where: str) -> bytes:
    """The same PDF with one byte changed, inside the signed range: a letter of a dictionary key
    (the structure) or a byte in the middle of the file (the content)."""
    index = data.index(b"/Length") + 1 if where == "structure" else len(data) // 3
    changed = bytearray(data)
    changed[index] = (changed[index] + 1) % 256
    return bytes(changed)


def test_signed_result_verifies_and_is_issued_here(client, signed_result, citizen):
    document, data = signed_result
    body = _api(client, data).json()
    assert body["signature_valid"] is True
    assert body["issued_here"] is True
    assert body["document"]["id"] == str(document.public_id)
    assert body["document"]["sha256"] == document.sha256
    assert body["document"]["holder_name"] == "N***** V** A*"
    assert citizen.personal_id not in str(body)
    assert body["document"]["unit"] == document.dossier.unit.name

    html = _page(client, data).content.decode()
    assert "Chữ ký số: hợp lệ." in html
    assert "Văn bản do cổng cấp: có" in html
    assert citizen.full_name not in html and citizen.personal_id not in html


@pytest.mark.parametrize("where", ["structure", "content"])
def test_one_byte_changed_fails_on_the_page_and_the_api(client, signed_result, where):
    _document, data = signed_result
    tampered = _one_byte_changed(data, where)
    assert tampered != data and len(tampered) == len(data)

    body = _api(client, tampered).json()
    assert body["signature_valid"] is False
    assert body["issued_here"] is False
    assert body["document"] is None

    response = _page(client, tampered)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chữ ký số: không hợp lệ." in html
    assert "Văn bản do cổng cấp: không tìm thấy" in html


def test_content_appended_after_signing_is_not_valid(client, signed_result):
    _document, data = signed_result
    body = _api(client, data + b"\n% appended\n").json()
    assert body["signature_valid"] is False
    assert body["issued_here"] is False


def test_unsigned_pdfs_get_an_answer(client, make_dossier):
    # any PDF from elsewhere
    body = _api(client, make_pdf_bytes("Một văn bản bất kỳ")).json()
    assert (body["signature_valid"], body["issued_here"], body["document"]) == (False, False, None)
    assert body["message"] == "Tệp PDF không có chữ ký số."
    # a slip issued here (CT04 is not signed): issued here, no valid signature
    dossier = make_dossier("received")
    slip = services.render_document(
        document_id=dossier.documents.get(kind=Document.Kind.RECEIPT).pk
    )
    with slip.file.open("rb") as handle:
        body = _api(client, handle.read()).json()
    assert body["signature_valid"] is False
    assert body["issued_here"] is True
    assert body["document"]["kind"] == "receipt"


@pytest.mark.parametrize(
    "garbage",
    [b"", b"hello, not a pdf", b"\x00\x01\x02" * 1000, b"%PDF-1.7\n" + b"\xff" * 5000],
)
def test_garbage_is_a_400_json_or_a_verdict_never_a_500(client, garbage):
    response = _api(client, garbage, name="rac.pdf")
    if garbage.startswith(b"%PDF-"):  # looks like a PDF, is broken: a verdict
        assert response.status_code == 200
        assert response.json()["signature_valid"] is False
    else:
        assert response.status_code == 400
        body = response.json()
        assert body["code"] in ("invalid", "not_a_pdf")
        assert body["message"]
    page = _page(client, garbage, name="rac.pdf")
    assert page.status_code in (200, 400)
    assert "Kiểm tra văn bản điện tử" in page.content.decode()


def test_no_file_and_too_large(client, settings):
    response = client.post(API, {})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    settings.VERIFY_MAX_UPLOAD_BYTES = 1000
    response = _api(client, make_pdf_bytes("x" * 50) + b"%" * 2000)
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert "quá lớn" in _page(client, b"%PDF-1.7" + b" " * 2000).content.decode()


def test_uploads_are_rate_limited_per_client_address(client, settings):
    settings.VERIFY_RATE_LIMIT = 2
    pdf = make_pdf_bytes()
    assert _api(client, pdf).status_code == 200
    assert _page(client, pdf).status_code == 200
    response = _api(client, pdf)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert _page(client, pdf).status_code == 429
    # another address still gets its answers
    other = client.post(
        API,
        {"file": SimpleUploadedFile("a.pdf", pdf, "application/pdf")},
        REMOTE_ADDR="10.1.2.3",
    )
    assert other.status_code == 200


def test_the_qr_page_shows_masked_facts(client, signed_result, citizen):
    document, _data = signed_result
    response = client.get(f"/xac-thuc/{document.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "N***** V** A*" in html
    assert "019******234" in html
    assert citizen.full_name not in html and citizen.personal_id not in html
    assert document.sha256 in html
    assert document.dossier.unit.name in html
    assert document.dossier.procedure.name_vi in html
    assert "Có (ký số của cơ quan cấp)" in html


def test_unknown_document_id_is_a_404_page(client):
    response = client.get("/xac-thuc/6f1c1d4e-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert "Không tìm thấy văn bản" in response.content.decode()


def test_every_issued_document_points_its_qr_code_at_its_verification_page(make_dossier, client):
    dossier = make_dossier("received")
    slip = dossier.documents.get(kind=Document.Kind.RECEIPT)
    context = services._render_context(slip.context, slip)
    assert context["verify_url"] == f"https://dichvucong.example.vn/xac-thuc/{slip.public_id}/"
    assert context["qr"].startswith("data:image/png;base64,")
    services.render_document(document_id=slip.pk)
    assert client.get(f"/xac-thuc/{slip.public_id}/").status_code == 200
