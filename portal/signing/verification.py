"""Public verification of issued documents (/xac-thuc/, POST /api/v1/verify/).

Two questions about an uploaded PDF: is its signature valid (pyHanko, against the configured trust
roots) and is it a document issued here (its SHA-256 equals that of a document the portal
rendered). Anything, a PDF or not, gets an answer; nothing raises.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.text import nfc
from portal.dossiers.models import Document

log = logging.getLogger(__name__)


class NotAPdf(ValueError):
    """The upload is not a PDF at all (no header): a 400, not a verdict."""


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' → 'N***** V** A*' (first letter of each word)."""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in nfc(name or "").split())


def mask_personal_id(value: str) -> str:
    value = (value or "").strip()
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def public_facts(document: Document) -> dict[str, Any]:
    """What the verification page shows about an issued document: never a full name or number."""
    context = document.context or {}
    applicant = context.get("applicant") or {}
    dossier = document.dossier
    return {
        "id": str(document.public_id),
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "title": str(context.get("title") or document.get_kind_display()),
        "dossier_code": dossier.code,
        "procedure": dossier.procedure.name_vi,
        "unit": dossier.unit.name,
        "issued_at": timezone.localtime(document.created_at).isoformat(),
        "issued_at_label": timezone.localtime(document.created_at).strftime("%H:%M %d/%m/%Y"),
        "holder_name": mask_name(applicant.get("name") or dossier.applicant_name),
        "holder_personal_id": mask_personal_id(
            applicant.get("personal_id") or dossier.applicant_personal_id
        ),
        "sha256": document.sha256,
        "signed": document.signed,
    }


def issued_document(public_id) -> Document | None:
    """A rendered document by its public id, or None (also for a malformed id)."""
    try:
        return (
            Document.objects.select_related("dossier__procedure", "dossier__unit")
            .filter(status=Document.Status.READY)
            .get(public_id=public_id)
        )
    except (Document.DoesNotExist, ValueError, TypeError, ValidationError):
        return None


@dataclass
class SignatureInfo:
    signer: str
    signed_at: str | None
    valid: bool
    problem: str = ""


@dataclass
class Verdict:
    signature_valid: bool
    issued_here: bool
    document: dict | None
    sha256: str
    signatures: list[SignatureInfo] = field(default_factory=list)
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "signature_valid": self.signature_valid,
            "issued_here": self.issued_here,
            "document": self.document,
            "sha256": self.sha256,
            "signatures": [s.__dict__ for s in self.signatures],
            "message": self.message,
        }


def _validation_context():
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko_certvalidator import ValidationContext

    # here, not at module level: the URLconf imports this module, and `cryptography` (pki) costs
    # every web worker several MB although only an upload to verify needs it
    from portal.signing import pki

    roots = []
    for path in pki.trust_root_paths():
        try:
            roots.append(load_cert_from_pemder(str(path)))
        except Exception:  # noqa: BLE001 - a broken root file is a configuration error, logged
            log.exception("trust root %s could not be read", path)
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _signer_name(status) -> str:
    try:
        return status.signing_cert.subject.native.get("common_name", "") or ""
    except Exception:  # noqa: BLE001
        return ""


def check_signatures(data: bytes) -> tuple[bool, list[SignatureInfo], str]:
    """(valid, per-signature details, message). Valid only if the PDF has at least one signature,
    every signature is intact, cryptographically valid and trusted, and the last one covers the
    whole file (nothing was appended after signing)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - unreadable or damaged PDF
        return False, [], _("Tệp PDF bị hỏng hoặc đã bị sửa đổi: không đọc được chữ ký số.")
    if not signatures:
        return False, [], _("Tệp PDF không có chữ ký số.")
    context = _validation_context()
    infos: list[SignatureInfo] = []
    valid = True
    for index, embedded in enumerate(signatures):
        try:
            status = validate_pdf_signature(embedded, context)
        except Exception as exc:  # noqa: BLE001
            log.info("signature validation failed: %s", exc)
            infos.append(SignatureInfo("", None, False, _("Không kiểm tra được chữ ký.")))
            valid = False
            continue
        ok = bool(status.bottom_line)
        problem = ""
        if not status.intact or not status.valid:
            problem = _("Nội dung văn bản đã bị thay đổi sau khi ký.")
        elif not status.trusted:
            problem = _("Chứng thư số không do cơ quan được tin cậy cấp.")
        last = index == len(signatures) - 1
        if ok and last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            ok = False
            problem = _("Văn bản đã bị bổ sung nội dung sau khi ký.")
        signed_at = status.signer_reported_dt
        infos.append(
            SignatureInfo(
                _signer_name(status), signed_at.isoformat() if signed_at else None, ok, problem
            )
        )
        valid = valid and ok
    message = _("Chữ ký số hợp lệ.") if valid else next((i.problem for i in infos if i.problem), "")
    return valid, infos, message or _("Chữ ký số không hợp lệ.")


def verify_upload(data: bytes) -> Verdict:
    """The verdict on an uploaded file. Raises NotAPdf when it is not a PDF at all."""
    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise NotAPdf(_("Tệp tải lên không phải là tệp PDF."))
    digest = hashlib.sha256(data).hexdigest()
    try:
        valid, infos, message = check_signatures(data)
    except Exception:  # noqa: BLE001 - never a 500 for a hostile file
        log.exception("signature check crashed")
        valid, infos, message = False, [], _("Không kiểm tra được chữ ký số của tệp này.")
    document = (
        Document.objects.select_related("dossier__procedure", "dossier__unit")
        .filter(sha256=digest, status=Document.Status.READY)
        .order_by("pk")
        .first()
    )
    return Verdict(
        signature_valid=valid,
        issued_here=document is not None,
        document=public_facts(document) if document else None,
        sha256=digest,
        signatures=infos,
        message=message,
    )


def max_upload_bytes() -> int:
    return settings.VERIFY_MAX_UPLOAD_BYTES
