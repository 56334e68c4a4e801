"""Signing PDFs (PAdES B-B, pyHanko) with the issuing unit's certificate.

`sign_pdf(pdf, unit=...)` adds a visible signature field where the template put the element with
id `signature-box` (WeasyPrint writes it as a named destination; the leader's signature box of the
result templates), or at the bottom right of the last page when the template has none.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Protocol

from django.conf import settings

from portal.signing import pki

log = logging.getLogger(__name__)

FIELD_NAME = "ChuKySoDonVi"
ANCHOR = "signature-box"
BOX_WIDTH = 62 * 72 / 25.4  # 62 mm, as the CSS of the .signature-box element
BOX_HEIGHT = 24 * 72 / 25.4
FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "DejaVuSans.ttf"


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
        from pyhanko.pdf_utils import text
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
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
        style = stamp.TextStampStyle(
            stamp_text="Đã ký số bởi: %(signer)s\nThời gian ký: %(ts)s",
            timestamp_format="%d/%m/%Y %H:%M:%S %Z",
            text_box_style=text.TextBoxStyle(font=GlyphAccumulatorFactory(str(FONT)), font_size=7),
            border_width=1,
        )
        output = io.BytesIO()
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
