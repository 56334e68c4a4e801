"""Attachment checks: what a file really is (by its content), whether it parses, sizes, names.

Never trusts the file name's extension nor the declared content type. Accepted: PDF, JPEG, PNG.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.core.errors import DomainError

logger = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
MAX_NAME_LENGTH = 120
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    size: int
    sha256: str
    original_name: str  # sanitised, shown to people
    stored_name: str  # random and unique, used on disk


def sniff(head: bytes) -> str | None:
    """The content type from the first bytes (magic numbers), or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    # A PDF may carry a few junk bytes before its header (tolerated by readers, ≤ 1024).
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def sanitize_filename(name: str, *, content_type: str | None = None) -> str:
    """A safe display name: no path parts, no control characters, NFC, Vietnamese letters kept,
    length capped; the extension matches the real content type."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name)
    name = _FORBIDDEN.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, ext = os.path.splitext(name)
    if content_type:
        ext = EXTENSIONS[content_type]
        if stem.lower().endswith(tuple(EXTENSIONS.values()) + (".jpeg",)):
            stem = os.path.splitext(stem)[0] or stem
    stem = stem.strip(" .") or _("tep-dinh-kem")
    stem = stem[: MAX_NAME_LENGTH - len(ext)]
    return stem + ext.lower()


def random_name(content_type: str) -> str:
    return secrets.token_hex(16) + EXTENSIONS[content_type]


def _parse(content: bytes, content_type: str) -> bool:
    try:
        if content_type == PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content), strict=False)
            return len(reader.pages) > 0
        from PIL import Image

        with Image.open(io.BytesIO(content)) as image:
            image.verify()
        expected = "JPEG" if content_type == JPEG else "PNG"
        with Image.open(io.BytesIO(content)) as image:
            if image.format != expected:
                return False
            image.load()
        return True
    except Exception:  # noqa: BLE001 - any parser failure means "unreadable"
        logger.info("Unreadable %s upload", content_type, exc_info=True)
        return False


def read_upload(uploaded_file, *, limit: int) -> bytes:
    """Read at most limit + 1 bytes (so an oversized file is detected without reading it all)."""
    if hasattr(uploaded_file, "seek"):
        with contextlib.suppress(Exception):
            uploaded_file.seek(0)
    return uploaded_file.read(limit + 1)


def check_file(uploaded_file, *, existing_count: int = 0, existing_bytes: int = 0) -> CheckedFile:
    """Validate one upload for a dossier that already holds `existing_count` files totalling
    `existing_bytes`. Raises DomainError with a specific code and Vietnamese message."""
    max_count = settings.DOSSIER_ATTACHMENTS_MAX_COUNT
    if existing_count >= max_count:
        raise DomainError(
            _("Hồ sơ đã có %(count)d tệp, đạt số tệp tối đa cho phép.") % {"count": max_count},
            code="too_many_files",
        )
    max_bytes = settings.ATTACHMENT_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > max_bytes:
        content = b"x" * (max_bytes + 1)  # do not read a huge file into memory
    else:
        content = read_upload(uploaded_file, limit=max_bytes)
    size = len(content)
    display_name = str(getattr(uploaded_file, "name", "") or "")
    if size == 0:
        raise DomainError(
            _("Tệp “%(name)s” trống (0 byte). Vui lòng chọn lại tệp.")
            % {"name": sanitize_filename(display_name)},
            code="file_empty",
        )
    if size > max_bytes:
        raise DomainError(
            _("Tệp “%(name)s” vượt quá dung lượng tối đa %(max)s cho mỗi tệp.")
            % {"name": sanitize_filename(display_name), "max": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    total_max = settings.DOSSIER_ATTACHMENTS_MAX_BYTES
    if existing_bytes + size > total_max:
        raise DomainError(
            _(
                "Tổng dung lượng tệp đính kèm của hồ sơ vượt quá %(max)s. Vui lòng xóa bớt hoặc nén tệp."
            )
            % {"max": filesizeformat(total_max)},
            code="dossier_attachments_too_large",
        )
    content_type = sniff(content[:2048])
    if content_type is None:
        raise DomainError(
            _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG. Chỉ chấp nhận tệp PDF, JPEG, PNG.")
            % {"name": sanitize_filename(display_name)},
            code="file_type_not_allowed",
        )
    if not _parse(content, content_type):
        raise DomainError(
            _("Tệp “%(name)s” bị hỏng hoặc không đọc được. Vui lòng quét hoặc xuất lại tệp.")
            % {"name": sanitize_filename(display_name)},
            code="file_unreadable",
        )
    return CheckedFile(
        content=content,
        content_type=content_type,
        size=size,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=sanitize_filename(display_name, content_type=content_type),
        stored_name=random_name(content_type),
    )
