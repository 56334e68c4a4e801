"""Attachment checks: what a file really is (by its content), whether it parses, sizes, names.

Never trusts the file name's extension nor the declared content type. Accepted: PDF, JPEG, PNG.

Hostile files are refused with a specific reason (nothing is stored):

- PDF: the header must be at offset 0 (an HTML page with a PDF after it is a polyglot); no active
  content (JavaScript, launch, form submit/import actions, embedded files, rich media, XFA forms);
  no stream that inflates beyond ATTACHMENT_PDF_MAX_STREAM_BYTES, nor all streams together beyond
  ATTACHMENT_PDF_MAX_DECODED_BYTES (measured by inflating chunk by chunk, never held in memory);
  no embedded image above the pixel limit.
- JPEG/PNG: at most ATTACHMENT_IMAGE_MAX_PIXELS pixels, read from the header before any decoding;
  markup (HTML/SVG/script) after the end of the image is refused as a polyglot; other data after it
  (a phone's motion-photo video, camera metadata) is cut off and the clean image is stored.
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
import zlib
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
    """The content type from the first bytes (magic numbers), or None. The magic number must be
    at offset 0: readers tolerate junk before a PDF header, which is how HTML/PDF polyglots work."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
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
            if content_type == JPEG:
                # Decode at 1/8 scale: every byte of the compressed data is still read and
                # checked, with 1/64 of the memory of a full decode.
                width, height = image.size
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
        return True
    except Exception:  # noqa: BLE001 - any parser failure means "unreadable"
        logger.info("Unreadable %s upload", content_type, exc_info=True)
        return False


# --- hostile content --------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _refusal(code: str, name: str, **params) -> DomainError:
    """The specific Vietnamese reason for each kind of hostile file."""
    params = {"name": name, **params}
    redo_pdf = _(
        "Vui lòng in lại tài liệu ra tệp PDF thông thường (chức năng “In ra PDF”) hoặc quét lại "
        "giấy tờ rồi tải lên."
    )
    reasons = {
        "pdf_header_not_at_start": _(
            "Tệp “%(name)s” có dữ liệu lạ đứng trước phần đầu PDF (có thể là trang web ghép với "
            "PDF)."
        ),
        "pdf_javascript": _("Tệp “%(name)s” chứa mã JavaScript chạy khi mở tệp."),
        "pdf_launch_action": _(
            "Tệp “%(name)s” chứa lệnh mở chương trình hoặc tệp khác trên máy người xem (Launch)."
        ),
        "pdf_form_action": _(
            "Tệp “%(name)s” chứa lệnh tự gửi hoặc nhập dữ liệu biểu mẫu (SubmitForm/ImportData)."
        ),
        "pdf_embedded_file": _("Tệp “%(name)s” có tệp khác nhúng bên trong."),
        "pdf_rich_media": _("Tệp “%(name)s” chứa nội dung đa phương tiện (video, Flash, 3D)."),
        "pdf_xfa_form": _("Tệp “%(name)s” là biểu mẫu động XFA."),
        "pdf_too_large_decoded": _(
            "Tệp “%(name)s” khi giải nén có nội dung lớn hơn %(max)s (có thể là tệp gây treo máy)."
        ),
        "pdf_image_too_large": _(
            "Tệp “%(name)s” chứa hình ảnh %(megapixels)s megapixel, vượt quá mức tối đa "
            "%(max)s megapixel."
        ),
    }
    if code in reasons:
        return DomainError(f"{reasons[code] % params} {redo_pdf}", code=code)
    if code == "image_too_large":
        message = _(
            "Ảnh “%(name)s” có %(megapixels)s megapixel (%(width)d × %(height)d điểm ảnh), vượt "
            "quá mức tối đa %(max)s megapixel. Vui lòng giảm độ phân giải ảnh (ví dụ chụp ở chế độ "
            "12 MP) hoặc quét lại rồi tải lên."
        )
    elif code == "image_polyglot":
        message = _(
            "Ảnh “%(name)s” có mã trang web (HTML hoặc script) gắn sau phần ảnh. Vui lòng chụp "
            "hoặc lưu lại ảnh rồi tải lên."
        )
    else:  # pragma: no cover - every code above has its message
        raise ValueError(code)
    return DomainError(message % params, code=code)


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}" if pixels >= 10_000_000 else f"{pixels / 1_000_000:.1f}"


# PDF structure: what makes a PDF do something when it is opened, and the streams it inflates.
_ACTIONS = {
    "/JavaScript": "pdf_javascript",
    "/Launch": "pdf_launch_action",
    "/SubmitForm": "pdf_form_action",
    "/ImportData": "pdf_form_action",
    "/RichMediaExecute": "pdf_rich_media",
    "/GoToE": "pdf_embedded_file",
}
_FILTER_ALIASES = {
    "/Fl": "/FlateDecode",
    "/AHx": "/ASCIIHexDecode",
    "/A85": "/ASCII85Decode",
    "/LZW": "/LZWDecode",
    "/RL": "/RunLengthDecode",
    "/DCT": "/DCTDecode",
    "/CCF": "/CCITTFaxDecode",
}
_SHRINKING_FILTERS = {"/ASCIIHexDecode", "/ASCII85Decode"}  # output ≤ input
_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}
_CHUNK = 64 * 1024


def _active_content(obj: dict) -> str | None:
    """The refusal code when this PDF dictionary carries active content, else None."""
    keys = set(obj.keys())
    if keys & {"/JS", "/JavaScript"}:
        return "pdf_javascript"
    kind, subtype = dict.get(obj, "/S"), dict.get(obj, "/Subtype")
    if isinstance(kind, str) and kind in _ACTIONS:
        return _ACTIONS[kind]
    if (
        keys & {"/EmbeddedFiles", "/EF"}
        or dict.get(obj, "/Type") == "/EmbeddedFile"
        or subtype == "/FileAttachment"
    ):
        return "pdf_embedded_file"
    if subtype in ("/RichMedia", "/Screen", "/Movie", "/Sound") or "/RichMediaContent" in keys:
        return "pdf_rich_media"
    if "/XFA" in keys:
        return "pdf_xfa_form"
    return None


def _filters(stream) -> list[str]:
    from pypdf.generic import ArrayObject

    value = stream.get("/Filter")
    names = list(value) if isinstance(value, ArrayObject) else [value] if value else []
    return [_FILTER_ALIASES.get(str(n), str(n)) for n in names]


def _inflated_size(data: bytes, layers: int, limit: int) -> int | None:
    """Size after `layers` successive inflations, or None past `limit`. Works chunk by chunk:
    never more than a few chunks of decoded data in memory, whatever the ratio. Data without a
    zlib header is tried again as raw deflate (some readers accept it)."""
    size, header_ok = _inflate_chain(data, layers, limit, zlib.MAX_WBITS | 32)
    if size is not None and not header_ok:
        size, _header_ok = _inflate_chain(data, layers, limit, -zlib.MAX_WBITS)
    return size


def _inflate_chain(data: bytes, layers: int, limit: int, first_wbits: int):
    decoders = [zlib.decompressobj(first_wbits)]
    decoders += [zlib.decompressobj(zlib.MAX_WBITS | 32) for _ in range(layers - 1)]
    total = 0
    header_ok = True

    def push(level: int, chunk: bytes) -> bool:
        nonlocal total, header_ok
        if level == layers:
            total += len(chunk)
            return total <= limit
        decoder = decoders[level]
        pending = chunk
        while not decoder.eof:
            try:
                out = decoder.decompress(pending, _CHUNK)
            except zlib.error:
                if level == 0 and total == 0:
                    header_ok = False
                return True  # corrupt data: a reader stops there too
            if out and not push(level + 1, out):
                return False
            pending = decoder.unconsumed_tail
            if not pending and len(out) < _CHUNK:
                break
        return True

    for start in range(0, len(data), _CHUNK):
        if not push(0, data[start : start + _CHUNK]):
            return None, header_ok
        if not header_ok:
            break
    return total, header_ok


def _decoded_size(stream, limit: int) -> int | None:
    """Decoded size of one stream (image codecs excluded: their size is checked from /Width and
    /Height), or None when it exceeds `limit`."""
    from pypdf.errors import LimitReachedError
    from pypdf.filters import ASCII85Decode, ASCIIHexDecode

    filters = _filters(stream)
    data = stream._data  # the raw, still encoded bytes
    while filters and filters[0] in _SHRINKING_FILTERS:
        codec = ASCIIHexDecode if filters.pop(0) == "/ASCIIHexDecode" else ASCII85Decode
        data = codec.decode(data)
    if not filters or filters[0] in _IMAGE_FILTERS:
        return len(data) if len(data) <= limit else None
    if all(f == "/FlateDecode" for f in filters):
        return _inflated_size(data, len(filters), limit)
    try:  # LZW, run-length or an unusual chain: pypdf decodes them under its own output cap
        size = len(stream.get_data())
    except LimitReachedError:
        return None
    except Exception:  # noqa: BLE001 - an undecodable stream inflates to nothing
        return 0
    return size if size <= limit else None


def check_pdf_structure(content: bytes) -> None:
    """Raise _Refused when the PDF carries active content or inflates beyond the limits. Walks
    every object of the cross-reference table (unreferenced ones too) and of the trailer."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    reader = PdfReader(io.BytesIO(content), strict=False)
    per_stream = settings.ATTACHMENT_PDF_MAX_STREAM_BYTES
    budget = settings.ATTACHMENT_PDF_MAX_DECODED_BYTES
    max_pixels = settings.ATTACHMENT_IMAGE_MAX_PIXELS
    stack: list = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    decoded = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            try:
                obj = obj.get_object()
            except Exception:  # noqa: BLE001 - a dangling reference leads nowhere
                continue
        if isinstance(obj, DictionaryObject):
            code = _active_content(obj)
            if code:
                raise _Refused(code)
            if isinstance(obj, StreamObject):
                if obj.get("/Subtype") == "/Image":
                    width, height = obj.get("/Width", 0), obj.get("/Height", 0)
                    if (
                        isinstance(width, int)
                        and isinstance(height, int)
                        and width * height > max_pixels
                    ):
                        raise _Refused(
                            "pdf_image_too_large",
                            megapixels=_megapixels(width * height),
                            max=_megapixels(max_pixels),
                        )
                size = _decoded_size(obj, min(per_stream, budget - decoded))
                if size is None:
                    limit = per_stream if per_stream <= budget - decoded else budget
                    raise _Refused("pdf_too_large_decoded", max=filesizeformat(limit))
                decoded += size
            stack.extend(dict.values(obj))
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))


# Images: the end of the image proper, and what follows it.
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|!--|html|head|body|script|svg|iframe|object|embed|meta|img|a\s|\?xml)"
    rb"|javascript:",
    re.IGNORECASE,
)


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the JPEG's end-of-image marker (walking the segments), or None."""
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF:
            i = data.find(b"\xff", i)  # stray bytes between segments (decoders skip them)
            if i < 0:
                return None
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2:
            return None
        i += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return None
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i = j + 2
                    continue
                if following == 0xFF:
                    i = j + 1
                    continue
                i = j
                break
    return None


def _png_end(data: bytes) -> int | None:
    """Offset just after the PNG's IEND chunk, or None."""
    i, n = 8, len(data)
    while i + 12 <= n:
        length = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        i += 12 + length
        if kind == b"IEND":
            return i if i <= n else None
    return None


def check_image(content: bytes, content_type: str) -> bytes:
    """Refuse an image over the pixel limit (from the header, before any decoding) or carrying
    markup after its end; return the image without whatever else followed its end."""
    import warnings

    from PIL import Image

    max_pixels = settings.ATTACHMENT_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        width, height = _header_size(content, content_type)
    except Exception:  # noqa: BLE001 - unreadable: reported by _parse
        return content
    if width * height > max_pixels:
        raise _Refused(
            "image_too_large",
            megapixels=_megapixels(width * height),
            width=width,
            height=height,
            max=_megapixels(max_pixels),
        )
    end = _jpeg_end(content) if content_type == JPEG else _png_end(content)
    if end is None:
        return content  # no end marker: truncated, reported by _parse
    trailer = content[end:]
    if _MARKUP.search(trailer):
        raise _Refused("image_polyglot")
    return content[:end]


def _header_size(content: bytes, content_type: str) -> tuple[int, int]:
    """Width and height of an image Pillow refused to open as a decompression bomb."""
    if content_type == PNG and content[12:16] == b"IHDR":
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    return 2**16, 2**16  # a JPEG is at most 65535 × 65535: refuse it as too large


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
    name = sanitize_filename(display_name)
    if content_type is None and b"%PDF-" in content[:1024]:
        raise _refusal("pdf_header_not_at_start", name)
    if content_type is None:
        raise DomainError(
            _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG. Chỉ chấp nhận tệp PDF, JPEG, PNG.")
            % {"name": name},
            code="file_type_not_allowed",
        )
    try:
        if content_type != PDF:
            content = check_image(content, content_type)
        readable = _parse(content, content_type)
        if readable and content_type == PDF:
            check_pdf_structure(content)
    except _Refused as refused:
        raise _refusal(refused.code, name, **refused.params) from None
    except Exception:  # noqa: BLE001 - a structure pypdf cannot walk is unreadable
        logger.info("Unwalkable PDF upload", exc_info=True)
        readable = False
    if not readable:
        raise DomainError(
            _("Tệp “%(name)s” bị hỏng hoặc không đọc được. Vui lòng quét hoặc xuất lại tệp.")
            % {"name": name},
            code="file_unreadable",
        )
    return CheckedFile(
        content=content,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=sanitize_filename(display_name, content_type=content_type),
        stored_name=random_name(content_type),
    )


# --- serving a citizen's file -----------------------------------------------------------------

# A citizen's file is data, never a page: the browser must not sniff it into HTML, and should it
# be opened as a document anyway, it runs in a sandbox (unique origin, no script, no plugin).
CITIZEN_FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'none'"


def citizen_file_response(handle, *, content_type: str, filename: str, inline: bool = False):
    """A FileResponse for an uploaded file. Only the three accepted types are ever announced
    (anything else, e.g. a row altered by hand, goes out as an opaque download); only images may
    be shown inline (as the back office's <img> preview); PDFs are always downloads, since a
    browser's PDF viewer runs the document's scripts and a sandbox would disable the viewer."""
    from django.http import FileResponse

    if content_type not in EXTENSIONS:
        content_type, inline = "application/octet-stream", False
    inline = inline and content_type in (JPEG, PNG)
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CITIZEN_FILE_CSP
    response["Cache-Control"] = "private, no-store"
    return response
