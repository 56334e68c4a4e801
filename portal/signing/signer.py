"""Signing PDFs (PAdES B-B, pyHanko) with the issuing unit's certificate.

`sign_pdf(pdf, unit=...)` adds a visible signature field where the template put the element with
id `signature-box` (WeasyPrint writes it as a named destination; the leader's signature box of the
result templates), or at the bottom right of the last page when the template has none.
"""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path
from typing import Protocol

from django.conf import settings

from portal.signing import pki

log = logging.getLogger(__name__)

FIELD_NAME = "ChuKySoDonVi"
ANCHOR = "signature-box"
BOX_WIDTH = 62 * 72 / 25.4  # 62 mm, as the CSS of the .signature-box element
BOX_HEIGHT = 24 * 72 / 25.4
STAMP_HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@font-face {{ font-family: S; src: url("{font_dir}/DejaVuSans.ttf"); }}
@font-face {{ font-family: S; font-weight: bold; src: url("{font_dir}/DejaVuSans-Bold.ttf"); }}
@page {{ size: 62mm 24mm; margin: 0; }}
body {{ margin: 0; font-family: S; font-size: 7pt; line-height: 1.3; color: #b00000; }}
div.box {{ border: 0.8pt solid #b00000; height: 22.4mm; padding: 1.5mm 2mm; box-sizing: border-box; }}
b {{ font-size: 7.5pt; }}
</style></head><body><div class="box"><b>ĐÃ KÝ SỐ</b><br>Ký bởi: {unit}<br>Thời gian ký: {moment}
<br><span>Xác thực tại trang /xac-thuc/</span></div></body></html>"""


def stamp_pdf(*, unit_name: str) -> bytes:
    """The visible appearance of the signature (a one-page PDF the size of the box), drawn by
    WeasyPrint so Vietnamese text is typeset with the embedded DejaVu fonts."""
    from django.utils import timezone
    from django.utils.html import escape
    from weasyprint import HTML

    font_dir = (Path(settings.BASE_DIR) / "static" / "fonts").as_uri()
    moment = timezone.localtime().strftime("%H:%M:%S %d/%m/%Y")
    html = STAMP_HTML.format(font_dir=font_dir, unit=escape(unit_name), moment=moment)
    return HTML(string=html).write_pdf()


class SigningError(Exception):
    """The document could not be signed (no key, unreadable PDF …)."""


class UnitSigner(Protocol):
    def sign(self, pdf: bytes, *, unit, reason: str) -> bytes: ...


def _pyhanko_signer(unit):
    from pyhanko.sign import signers

    pkcs12 = pki.unit_pkcs12(unit.code)
    if pkcs12 is not None:
        password = settings.SIGNING_PKCS12_PASSWORD
        signer = signers.SimpleSigner.load_pkcs12(
            str(pkcs12), passphrase=password.encode() if password else None
        )
    else:
        creds = pki.ensure_unit(code=unit.code, name=unit.name)
        signer = signers.SimpleSigner.load(
            str(creds.key_path),
            str(creds.cert_path),
            ca_chain_files=(str(pki.pki_dir() / pki.ROOT_CERT),),
        )
    if signer is None:
        raise SigningError(f"no signing key for unit {unit.code}")
    return signer


def signature_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, (x1, y1, x2, y2)) of the visible signature, from the `signature-box` anchor."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    destination = reader.named_destinations.get(ANCHOR)
    if destination is not None:
        page = reader.get_destination_page_number(destination)
        left, top = float(destination.left), float(destination.top)
        return page, (left, top - BOX_HEIGHT, left + BOX_WIDTH, top)
    page = len(reader.pages) - 1
    width = float(reader.pages[page].mediabox.width)
    margin = 20 * 72 / 25.4
    return page, (width - margin - BOX_WIDTH, margin, width - margin, margin + BOX_HEIGHT)


class PyHankoSigner:
    """PAdES baseline B-B signature (no timestamp authority) with a visible stamp."""

    def sign(self, pdf: bytes, *, unit, reason: str) -> bytes:
        from pyhanko import stamp
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        page, box = signature_box(pdf)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        fields.append_signature_field(
            writer, fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=page, box=box)
        )
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=unit.name,
            name=unit.name,
        )
        output = io.BytesIO()
        with tempfile.NamedTemporaryFile(suffix=".pdf") as appearance:
            appearance.write(stamp_pdf(unit_name=unit.name))
            appearance.flush()
            style = stamp.StaticStampStyle.from_pdf_file(appearance.name, border_width=0)
            signers.PdfSigner(meta, signer=_pyhanko_signer(unit), stamp_style=style).sign_pdf(
                writer, output=output
            )
        return output.getvalue()


def get_signer() -> UnitSigner:
    return PyHankoSigner()


def sign_pdf(pdf: bytes, *, unit, reason: str = "Kết quả giải quyết thủ tục hành chính") -> bytes:
    try:
        return get_signer().sign(pdf, unit=unit, reason=reason)
    except SigningError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure of the library is a signing failure
        raise SigningError(str(exc)) from exc
